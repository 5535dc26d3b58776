-- title: Short expiration lifecycle rule put on an S3 bucket (CloudTrail log bucket)
-- description: A successful PutBucketLifecycle whose configuration has an enabled rule expiring objects after at most max_days days: on a CloudTrail log bucket this silently deletes the audit trail a day after delivery. One finding per principal, account, region and bucket; trail_bucket marks names that look like trail buckets or appear as a trail's s3BucketName in the same data.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudtrail-bucket-short-lifecycle
-- stratus: aws.defense-evasion.cloudtrail-lifecycle-rule
-- panther: AWS.CloudTrail.ShortLifecycle
-- false_positives: Short expiry on scratch, temp or build-artifact buckets is common; focus on trail_bucket = true or join with the trail inventory.
-- tags: s3, lifecycle, cloudtrail, logging, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: max_days int 7  Largest Expiration.Days that counts as short
WITH trail_buckets AS (
  SELECT DISTINCT requestparameters->>'s3BucketName' AS trail_bucket_name
  FROM cloudtrail
  WHERE eventsource = 'cloudtrail.amazonaws.com'
    AND eventname IN ('CreateTrail', 'UpdateTrail')
    AND errorcode IS NULL
    AND requestparameters->>'s3BucketName' IS NOT NULL
),
lifecycle AS (
  SELECT eventid, eventtime, useridentity, sourceipaddress, recipientaccountid, awsregion,
         requestparameters->>'bucketName' AS bucket,
         CAST(regexp_match(requestparameters, '"Expiration"\s*:\s*\{[^{}]*"Days"\s*:\s*"?([0-9]+)')[1] AS INT) AS expiration_days
  FROM cloudtrail
  WHERE eventsource = 's3.amazonaws.com'
    AND eventname IN ('PutBucketLifecycle', 'PutBucketLifecycleConfiguration')
    AND errorcode IS NULL
    AND regexp_like(requestparameters, '"Status"\s*:\s*"Enabled"')
    AND eventtime >= $since
    AND eventtime <= $until
)
SELECT array_agg(l.eventid ORDER BY l.eventtime, l.eventid) AS eventids,
       min(l.eventtime) AS first_seen,
       max(l.eventtime) AS last_seen,
       coalesce(l.useridentity.arn, l.useridentity.type) AS principal,
       min(l.sourceipaddress) AS sourceip,
       l.recipientaccountid AS account,
       l.awsregion AS region,
       l.bucket AS bucket,
       min(l.expiration_days) AS expiration_days,
       bool_or(lower(coalesce(l.bucket, '')) LIKE '%cloudtrail%' OR t.trail_bucket_name IS NOT NULL) AS trail_bucket
FROM lifecycle l
LEFT JOIN trail_buckets t ON t.trail_bucket_name = l.bucket
WHERE l.expiration_days <= $max_days
GROUP BY coalesce(l.useridentity.arn, l.useridentity.type), l.recipientaccountid, l.awsregion, l.bucket
ORDER BY first_seen
