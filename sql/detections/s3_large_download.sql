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
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'bucketName', '') AS bucket,
       date_bin($window, eventtime) AS window_start,
       count(*) AS downloads,
       count(DISTINCT requestparameters->>'key') AS objects,
       sum(coalesce(CAST(additionaleventdata->>'bytesTransferredOut' AS DOUBLE), 0)) AS bytes_out
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname = 'GetObject'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8, 9
HAVING count(*) >= $threshold
    OR sum(coalesce(CAST(additionaleventdata->>'bytesTransferredOut' AS DOUBLE), 0)) >= $min_bytes
ORDER BY first_seen
