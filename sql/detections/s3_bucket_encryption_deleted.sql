-- title: S3 default bucket encryption deleted
-- description: A successful DeleteBucketEncryption: the bucket's default encryption configuration is removed, so new objects rely only on S3-managed defaults and any customer-managed KMS protection the owner required is gone. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1485 Data Destruction
-- catalogue: s3-bucket-encryption-deleted
-- stratus: -
-- panther: AWS.S3.DeleteBucketEncryption
-- false_positives: Migrations between SSE-KMS keys and infrastructure-as-code that deletes then re-puts encryption; allow-list those principals.
-- tags: s3, encryption, kms, impact, defense-evasion
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
  AND eventname = 'DeleteBucketEncryption'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
