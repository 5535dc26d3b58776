-- title: S3 server access logging disabled
-- description: A successful PutBucketLogging whose BucketLoggingStatus has no LoggingEnabled element: server access logging for the bucket is switched off, so later object reads and deletions leave no access log. One finding per principal, account, region and bucket.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: s3-server-access-logging-disabled
-- stratus: -
-- panther: AWS.S3.DisableBucketLogging
-- false_positives: Switching a bucket from server access logs to CloudTrail data events, and teardown of temporary buckets; allow-list those principals.
-- tags: s3, logging, access-logs, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'bucketName' AS bucket,
       count(*) AS calls
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname = 'PutBucketLogging'
  AND json_extract(requestparameters, '$.BucketLoggingStatus') IS NOT NULL
  AND json_extract(requestparameters, '$.BucketLoggingStatus.LoggingEnabled') IS NULL
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
