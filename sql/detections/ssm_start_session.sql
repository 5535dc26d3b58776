-- title: SSM Session Manager session started
-- description: A successful ssm:StartSession opened an interactive shell (or port forward) on a managed instance through Session Manager, no SSH key or open port needed. One finding per principal, account and region, with the targets reached.
-- severity: medium
-- attack_tactic: TA0008 Lateral Movement
-- attack_technique: T1021.007 Remote Services: Cloud Services
-- catalogue: ssm-start-session
-- stratus: aws.execution.ssm-start-session
-- panther: AWS.SSM.MultipleSessions
-- per_event: min_targets=1
-- false_positives: Operators who use Session Manager as their normal access path; raise min_targets to see only principals reaching several instances.
-- tags: ssm, ec2, session-manager, lateral-movement
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: min_targets int 1  Fewest distinct targets to report
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS sessions,
       count(DISTINCT requestparameters->>'target') AS target_count,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'target', ''))), ', ') AS targets,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'documentName', 'shell'))), ', ') AS documents
FROM cloudtrail
WHERE eventsource = 'ssm.amazonaws.com'
  AND eventname = 'StartSession'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
HAVING count(DISTINCT requestparameters->>'target') >= $min_targets
ORDER BY first_seen
