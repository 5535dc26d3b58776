-- title: S3 bucket versioning suspended
-- description: A successful PutBucketVersioning with VersioningConfiguration.Status Suspended (or Disabled): later overwrites and deletions no longer keep prior versions, a usual step before ransomware-style destruction of bucket data. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1490 Inhibit System Recovery
-- catalogue: s3-versioning-suspended
-- stratus: -
-- panther: AWS.S3.SuspendVersioning
-- false_positives: Cost clean-up on buckets that no longer need versioning and teardown of test buckets; allow-list those principals or buckets.
-- tags: s3, versioning, backup, impact, ransomware
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
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT json_extract_scalar(requestparameters, '$.VersioningConfiguration.Status'))), ', ') AS statuses
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname = 'PutBucketVersioning'
  AND json_extract_scalar(requestparameters, '$.VersioningConfiguration.Status') IN ('Suspended', 'Disabled')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
