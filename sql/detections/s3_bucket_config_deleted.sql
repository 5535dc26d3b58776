-- title: S3 bucket policy, CORS or lifecycle configuration deleted
-- description: A successful DeleteBucketPolicy, DeleteBucketCors or DeleteBucketLifecycle: guard-rail settings on the bucket (deny statements, origin limits, retention rules) are removed, changing who can reach the data or how long it is kept. One finding per principal, account, region and bucket.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: s3-bucket-config-deleted
-- stratus: -
-- panther: AWS.S3.BucketPolicyModified
-- false_positives: Routine reconfiguration by infrastructure-as-code (delete then put) and bucket teardown; allow-list those principals.
-- tags: s3, bucket-policy, cors, lifecycle, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname IN ('DeleteBucketPolicy', 'DeleteBucketCors', 'DeleteBucketLifecycle')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
