-- title: S3 bucket deleted
-- description: A successful DeleteBucket: the bucket and its name are gone (and the name can be re-registered by anyone, a takeover risk for anything that still points at it); destruction of data or of evidence such as log buckets. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0040 Impact
-- attack_technique: T1485 Data Destruction
-- catalogue: s3-bucket-deleted
-- stratus: -
-- panther: AWS.S3.BucketDeleted
-- false_positives: Infrastructure teardown by pipelines and cleanup of test buckets; allow-list those principals.
-- tags: s3, deletion, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS deletions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'bucketName', ''))), ', ') AS buckets
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname = 'DeleteBucket'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
