-- title: Mass deletion of S3 objects
-- description: One principal deleted many objects from one bucket within a time bucket, counting each DeleteObject or DeleteObjectVersion call as one and each DeleteObjects batch by the keys it names: data destruction, or the deletion step of S3 ransomware after the data was copied out. Needs S3 data events. One finding per principal, account, region, bucket and window.
-- severity: info
-- attack_tactic: TA0040 Impact
-- attack_technique: T1485 Data Destruction
-- catalogue: s3-mass-object-deletion
-- stratus: aws.impact.s3-ransomware-batch-deletion, aws.impact.s3-ransomware-individual-deletion, aws.impact.s3-ransomware-client-side-encryption
-- panther: AWS.S3.DeleteObject, AWS.S3.DeleteObjects
-- per_event: threshold=1
-- false_positives: Cleanup jobs, cache and temp-file pruning and test teardown; allow-list those principals or buckets, or raise the threshold. Lifecycle expirations are not API calls and do not appear.
-- tags: s3, data-events, deletion, ransomware, impact, threshold, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 50  Fewest objects deleted in one window to report
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
       count(*) AS calls,
       sum(CASE WHEN eventname = 'DeleteObjects'
                THEN coalesce(json_array_length(json_extract(requestparameters, '$.delete.Object')), 1) ELSE 1 END) AS objects_deleted,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname IN ('DeleteObject', 'DeleteObjectVersion', 'DeleteObjects')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8, 9
HAVING sum(CASE WHEN eventname = 'DeleteObjects'
                THEN coalesce(json_array_length(json_extract(requestparameters, '$.delete.Object')), 1) ELSE 1 END) >= $threshold
ORDER BY first_seen
