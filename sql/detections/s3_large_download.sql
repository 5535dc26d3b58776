-- title: Large volume of S3 object downloads by one principal
-- description: Many successful GetObject data events, or many bytes transferred out, by one principal from one bucket within a time bucket: bulk collection or exfiltration of bucket contents. Needs S3 data events. One finding per principal, account, region, bucket and window.
-- severity: low
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1530 Data from Cloud Storage
-- catalogue: s3-large-download
-- stratus: -
-- panther: AWS.S3.LargeDownload
-- per_event: threshold=1
-- false_positives: Backups, analytics jobs, CDN origins and data-sync tools read whole buckets; allow-list those principals or raise the thresholds.
-- tags: s3, data-events, exfiltration, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 100  Fewest GetObject calls in one window to report
-- param: min_bytes int 1073741824  Fewest bytes transferred out in one window to report (whichever threshold is hit first)
-- param: window interval 1h  Width of the time buckets
WITH downloads AS (
    SELECT eventid, eventtime, sourceipaddress, recipientaccountid, awsregion, requestparameters,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           coalesce(requestparameters->>'bucketName', '') AS bucket,
           date_bin($window, eventtime) AS window_start,
           coalesce(CAST(additionaleventdata->>'bytesTransferredOut' AS DOUBLE), 0) AS bytes
    FROM cloudtrail
    WHERE eventsource = 's3.amazonaws.com'
      AND eventname = 'GetObject'
      AND errorcode IS NULL
      AND eventtime >= $since
      AND eventtime <= $until
),
-- The windows over a threshold, found with cheap aggregates; only their events are
-- gathered into evidence below.
busy AS (
    SELECT principal, recipientaccountid, awsregion, bucket, window_start
    FROM downloads
    GROUP BY principal, recipientaccountid, awsregion, bucket, window_start
    HAVING count(*) >= $threshold
        OR sum(bytes) >= $min_bytes
)
SELECT array_agg(d.eventid ORDER BY d.eventtime, d.eventid) AS eventids,
       min(d.eventtime) AS first_seen,
       max(d.eventtime) AS last_seen,
       d.principal AS principal,
       min(d.sourceipaddress) AS sourceip,
       d.recipientaccountid AS account,
       d.awsregion AS region,
       d.bucket AS bucket,
       d.window_start AS window_start,
       count(*) AS downloads,
       count(DISTINCT d.requestparameters->>'key') AS objects,
       sum(d.bytes) AS bytes_out
FROM busy b
-- busy first: the small side, which the join holds in memory. IS NOT DISTINCT FROM: a NULL
-- principal, account or region forms a group too.
JOIN downloads d
  ON (d.principal IS NOT DISTINCT FROM b.principal)
 AND (d.recipientaccountid IS NOT DISTINCT FROM b.recipientaccountid)
 AND (d.awsregion IS NOT DISTINCT FROM b.awsregion)
 AND (d.bucket IS NOT DISTINCT FROM b.bucket)
 AND (d.window_start IS NOT DISTINCT FROM b.window_start)
GROUP BY d.principal, d.recipientaccountid, d.awsregion, d.bucket, d.window_start
-- Always true after the join; kept so that findings with the same first_seen keep their order.
HAVING count(*) >= $threshold
    OR sum(d.bytes) >= $min_bytes
ORDER BY first_seen
