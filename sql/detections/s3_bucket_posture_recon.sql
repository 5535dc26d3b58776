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
WITH reads AS (
    SELECT eventid, eventtime, eventname, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           date_bin($window, eventtime) AS window_start,
           requestparameters->>'bucketName' AS bucket
    FROM cloudtrail
    WHERE eventsource = 's3.amazonaws.com'
      AND eventname IN ('GetBucketAcl', 'GetBucketPolicy', 'GetBucketPolicyStatus', 'GetBucketPublicAccessBlock',
                        'GetBucketVersioning', 'GetBucketEncryption', 'GetBucketLogging', 'GetBucketOwnershipControls')
      AND errorcode IS NULL
      AND eventtime >= $since
      AND eventtime <= $until
),
-- The windows over the threshold, found with cheap aggregates (one row per distinct bucket
-- first, then a count); only their events are gathered into evidence below.
busy AS (
    SELECT principal, recipientaccountid, awsregion, window_start
    FROM (SELECT DISTINCT principal, recipientaccountid, awsregion, window_start, bucket FROM reads) buckets
    GROUP BY principal, recipientaccountid, awsregion, window_start
    HAVING count(bucket) >= $threshold
)
SELECT array_agg(r.eventid ORDER BY r.eventtime, r.eventid) AS eventids,
       min(r.eventtime) AS first_seen,
       max(r.eventtime) AS last_seen,
       r.principal AS principal,
       min(r.sourceipaddress) AS sourceip,
       r.recipientaccountid AS account,
       r.awsregion AS region,
       r.window_start AS window_start,
       count(*) AS calls,
       count(DISTINCT r.bucket) AS buckets,
       array_to_string(array_sort(array_agg(DISTINCT r.eventname)), ', ') AS actions
FROM busy b
-- busy first: the small side, which the join holds in memory. IS NOT DISTINCT FROM: a NULL
-- principal, account or region forms a group too.
JOIN reads r
  ON (r.principal IS NOT DISTINCT FROM b.principal)
 AND (r.recipientaccountid IS NOT DISTINCT FROM b.recipientaccountid)
 AND (r.awsregion IS NOT DISTINCT FROM b.awsregion)
 AND (r.window_start IS NOT DISTINCT FROM b.window_start)
GROUP BY r.principal, r.recipientaccountid, r.awsregion, r.window_start
-- Always true after the join; kept so that findings with the same first_seen keep their order.
HAVING count(DISTINCT r.bucket) >= $threshold
ORDER BY first_seen
