-- title: VPC Flow Logs deleted
-- description: One or more VPC Flow Logs were deleted (ec2 DeleteFlowLogs) and the call succeeded: network telemetry for the VPC, subnet or interface stops, which hides later traffic. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: vpc-flow-logs-deleted
-- stratus: aws.defense-evasion.vpc-remove-flow-logs
-- panther: AWS.VPCFlow.LogsDeleted, AWS.CloudTrail.SecurityConfigurationChange
-- false_positives: VPC teardown by infrastructure-as-code pipelines (often followed by DeleteVpc) and flow-log reconfiguration; allow-list those principals.
-- tags: ec2, vpc, flow-logs, logging, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT trim(regexp_replace(coalesce(requestparameters, ''), '.*?(fl-[0-9a-f]+)|.+', '${1} ', 'g')))), ', ') AS flow_logs
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'DeleteFlowLogs'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
