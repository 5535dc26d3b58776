-- title: S3 bucket policy grants public access
-- description: A successful PutBucketPolicy whose policy allows Principal "*" (or AWS "*") in a statement without a Condition: anyone on the internet can read or write the bucket as the policy allows, a one-call exfiltration path. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: s3-bucket-policy-public
-- stratus: -
-- panther: AWS.CloudTrail.ResourceMadePublic
-- false_positives: Static website and public dataset buckets; allow-list those buckets. Statements restricted by a Condition (source VPC, organisation id) are not reported.
-- tags: s3, bucket-policy, public, exfiltration
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
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.bucketPolicy'))), ' | ') AS policies
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname = 'PutBucketPolicy'
  AND errorcode IS NULL
  AND regexp_like(json_extract(requestparameters, '$.bucketPolicy'), '"Effect"\s*:\s*"Allow"')
  AND regexp_like(json_extract(requestparameters, '$.bucketPolicy'), '"Principal"\s*:\s*("\*"|\{[^}]*"AWS"\s*:\s*(\[[^\]]*)?"\*")')
  AND strpos(json_extract(requestparameters, '$.bucketPolicy'), '"Condition"') = 0
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
