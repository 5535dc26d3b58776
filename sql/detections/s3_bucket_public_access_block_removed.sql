-- title: S3 bucket Block Public Access removed or relaxed
-- description: A successful s3 DeleteBucketPublicAccessBlock, or a PutBucketPublicAccessBlock that sets any of BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy or RestrictPublicBuckets to false: the bucket-level guard that stops public ACLs and policies is gone, usually the step just before a bucket is made public for exfiltration or to host content. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: s3-bucket-public-access-block-removed
-- stratus: -
-- panther: AWS.S3.DeletePublicAccessBlock
-- false_positives: Buckets that are meant to be public (static websites, public datasets, software downloads) set up by their owners, usually through infrastructure as code; allow-list those buckets or principals.
-- tags: s3, public-access-block, exposure, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       count(*) AS changes
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND errorcode IS NULL
  AND (eventname = 'DeleteBucketPublicAccessBlock'
       OR (eventname = 'PutBucketPublicAccessBlock'
           AND regexp_like(coalesce(json_extract(requestparameters, '$.PublicAccessBlockConfiguration'), ''),
                           '"(BlockPublicAcls|IgnorePublicAcls|BlockPublicPolicy|RestrictPublicBuckets)"\s*:\s*"?false', 'i')))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'bucketName'
ORDER BY first_seen
