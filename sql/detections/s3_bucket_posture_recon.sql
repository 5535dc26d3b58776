-- title: Rapid S3 bucket posture reconnaissance
-- description: One principal read the access posture (GetBucketAcl, GetBucketPolicy, GetBucketPolicyStatus, GetBucketPublicAccessBlock, GetBucketVersioning, GetBucketEncryption, GetBucketLogging, GetBucketOwnershipControls) of many distinct buckets within a short window: scanning for exposed or unprotected buckets before collection. One finding per principal, account, region and window.
-- severity: medium
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1619 Cloud Storage Object Discovery
-- catalogue: s3-bucket-posture-recon
-- stratus: -
-- per_event: threshold=1
-- false_positives: CSPM scanners, AWS Config and Trusted Advisor, security audits; allow-list their roles.
-- tags: s3, discovery, reconnaissance, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 10  Fewest distinct buckets in one window to report
-- param: window interval 10m  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS calls,
       count(DISTINCT requestparameters->>'bucketName') AS buckets,
       array_to_string(array_agg(DISTINCT eventname), ', ') AS actions
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname IN ('GetBucketAcl', 'GetBucketPolicy', 'GetBucketPolicyStatus', 'GetBucketPublicAccessBlock',
                    'GetBucketVersioning', 'GetBucketEncryption', 'GetBucketLogging', 'GetBucketOwnershipControls')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING count(DISTINCT requestparameters->>'bucketName') >= $threshold
ORDER BY first_seen
