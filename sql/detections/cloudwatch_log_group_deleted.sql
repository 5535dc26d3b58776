-- title: CloudWatch Logs log group deleted
-- description: A CloudWatch Logs log group was deleted (logs DeleteLogGroup) and the call succeeded: every stream and stored event in it is destroyed, removing application, VPC, DNS or CloudTrail logs that would show an intrusion. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudwatch-log-group-deleted
-- stratus: -
-- false_positives: Stack deletion by CloudFormation, CDK or Terraform and cleanup of Lambda log groups; allow-list those principals or log-group prefixes.
-- tags: cloudwatch, logs, logging, defense-evasion, impact
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'logGroupName', ''))), ', ') AS log_groups
FROM cloudtrail
WHERE eventsource = 'logs.amazonaws.com'
  AND eventname = 'DeleteLogGroup'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
