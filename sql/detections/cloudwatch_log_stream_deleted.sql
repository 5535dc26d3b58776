-- title: CloudWatch Logs log stream deleted
-- description: A CloudWatch Logs log stream was deleted (logs DeleteLogStream) and the call succeeded: the stream's stored events are destroyed, a quieter way than deleting the whole group to erase evidence. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudwatch-log-stream-deleted
-- stratus: -
-- false_positives: Log-retention tooling and application teardown that prune old streams; allow-list those principals or log groups.
-- tags: cloudwatch, logs, logging, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'logGroupName', ''))), ', ') AS log_groups,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'logStreamName', ''))), ', ') AS log_streams
FROM cloudtrail
WHERE eventsource = 'logs.amazonaws.com'
  AND eventname = 'DeleteLogStream'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
