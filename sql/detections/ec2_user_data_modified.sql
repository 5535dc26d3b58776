-- title: EC2 instance user data modified
-- description: ModifyInstanceAttribute changed an instance's userData, the startup script that runs as root at next boot: a way to run code on, or persist in, an instance without logging into it. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0002 Execution
-- attack_technique: T1059 Command and Scripting Interpreter
-- catalogue: ec2-user-data-modified
-- stratus: aws.execution.ec2-user-data
-- panther: AWS.EC2.Startup.Script.Change
-- false_positives: Infrastructure-as-code or configuration pipelines that rewrite user data on stopped instances; allow-list those principals.
-- tags: ec2, user-data, execution, persistence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'instanceId', ''))), ', ') AS instances
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'ModifyInstanceAttribute'
  AND json_extract(requestparameters, '$.userData') IS NOT NULL
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
