-- title: SSM SendCommand run on instances
-- description: A successful ssm:SendCommand: runs a document (often AWS-RunShellScript) as root or SYSTEM on managed instances without SSH, the cloud-native way to execute code across a fleet. One finding per principal, account and region, with the documents and how many instances were targeted.
-- severity: medium
-- attack_tactic: TA0002 Execution
-- attack_technique: T1651 Cloud Administration Command
-- catalogue: ssm-send-command
-- stratus: aws.execution.ssm-send-command
-- panther: AWS.SSM.DistributedCommand
-- per_event: min_targets=1
-- false_positives: Patch Manager, State Manager and automation roles send commands all day; allow-list them or raise min_targets.
-- tags: ssm, ec2, execution, remote-command
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: min_targets int 1  Fewest instance ids, summed over the principal's calls, to report (a tag-targeted call counts as 1)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS commands,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'documentName', ''))), ', ') AS documents,
       sum(coalesce(json_array_length(json_extract(requestparameters, '$.instanceIds')), 1)) AS instance_targets,
       bool_or(json_extract(requestparameters, '$.targets') IS NOT NULL) AS tag_targets
FROM cloudtrail
WHERE eventsource = 'ssm.amazonaws.com'
  AND eventname = 'SendCommand'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
HAVING sum(coalesce(json_array_length(json_extract(requestparameters, '$.instanceIds')), 1)) >= $min_targets
ORDER BY first_seen
