-- title: S3 objects re-encrypted with customer-provided keys (SSE-C)
-- description: Many successful CopyObject or PutObject calls by one principal on one bucket within a time bucket that carry x-amz-server-side-encryption-customer-algorithm: the objects are now readable only with a key the caller holds, the Codefinger-style S3 ransomware technique. Needs S3 data events. One finding per principal, account, region, bucket and window.
-- severity: high
-- attack_tactic: TA0040 Impact
-- attack_technique: T1486 Data Encrypted for Impact
-- catalogue: s3-sse-c-encryption
-- stratus: aws.impact.s3-ransomware-client-side-encryption
-- panther: AWS.S3.CopyObjectWithClientSideEncryption
-- per_event: threshold=1
-- false_positives: Applications that deliberately use SSE-C for their own objects; allow-list those principals or buckets. Set threshold to 1 where SSE-C is never used.
-- tags: s3, data-events, sse-c, ransomware, encryption, impact, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 20  Fewest SSE-C writes in one window to report
-- param: window interval 1h  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'bucketName', '') AS bucket,
       date_bin($window, eventtime) AS window_start,
       count(*) AS encryptions,
       count(DISTINCT requestparameters->>'key') AS objects,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname IN ('CopyObject', 'PutObject')
  AND errorcode IS NULL
  AND strpos(requestparameters, 'x-amz-server-side-encryption-customer-algorithm') > 0
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8, 9
HAVING count(*) >= $threshold
ORDER BY first_seen
