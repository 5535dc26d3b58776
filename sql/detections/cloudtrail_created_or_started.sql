-- title: CloudTrail trail created or logging started
-- description: A trail was created (CreateTrail) or logging was started (StartLogging) and the call succeeded: an inventory signal for audit-log changes, and a way for an attacker to copy the account's events to a bucket they own. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudtrail-created-or-started
-- stratus: -
-- panther: AWS.CloudTrail.Created
-- false_positives: Account vending, Control Tower and infrastructure-as-code pipelines create trails and restart logging after maintenance; allow-list those principals and check the destination bucket.
-- tags: cloudtrail, logging, defense-evasion, collection
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'name', ''))), ', ') AS trails,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'s3BucketName', ''))), ', ') AS buckets
FROM cloudtrail
WHERE eventsource = 'cloudtrail.amazonaws.com'
  AND eventname IN ('CreateTrail', 'StartLogging')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
