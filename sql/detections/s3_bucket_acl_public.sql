-- title: S3 bucket ACL grants public access
-- description: A successful PutBucketAcl that grants the AllUsers or AuthenticatedUsers group (or sets the canned x-amz-acl public-read, public-read-write or authenticated-read): the bucket listing or contents become readable by anyone with, or without, an AWS account. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0009 Collection
-- attack_technique: T1530 Data from Cloud Storage
-- catalogue: s3-bucket-acl-public
-- stratus: -
-- false_positives: Legacy public website buckets still managed with ACLs; allow-list those buckets.
-- tags: s3, acl, public, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'bucketName', '') AS bucket,
       bool_or(strpos(requestparameters, 'acs.amazonaws.com/groups/global/AllUsers') > 0
               OR regexp_like(requestparameters, '"x-amz-acl"\s*:\s*\[?\s*"public-read')) AS all_users
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname = 'PutBucketAcl'
  AND errorcode IS NULL
  AND (strpos(requestparameters, 'acs.amazonaws.com/groups/global/AllUsers') > 0
       OR strpos(requestparameters, 'acs.amazonaws.com/groups/global/AuthenticatedUsers') > 0
       OR regexp_like(requestparameters, '"x-amz-acl"\s*:\s*\[?\s*"(public-read|public-read-write|authenticated-read)"'))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
