-- title: S3 bucket replication configuration deleted
-- description: A successful DeleteBucketReplication: objects stop being copied to the replica (often backup or cross-region) bucket, removing a recovery path before data is destroyed. One finding per principal, account, region and bucket.
-- severity: low
-- attack_tactic: TA0040 Impact
-- attack_technique: T1490 Inhibit System Recovery
-- catalogue: s3-bucket-replication-deleted
-- stratus: -
-- panther: AWS.S3.DeleteBucketReplication, AWS.S3.BucketPolicyModified
-- false_positives: Replication redesigns and teardown of disaster-recovery test setups; allow-list those principals.
-- tags: s3, replication, backup, impact
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
  AND eventname = 'DeleteBucketReplication'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
