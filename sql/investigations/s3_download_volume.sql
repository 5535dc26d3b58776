-- title: S3 download volume per principal and bucket
-- description: How much each principal read out of each bucket with S3 data events (GetObject): objects, downloads, bytes sent (additionalEventData bytesTransferredOut), refused reads, source addresses and the time span, most bytes first. Needs S3 data-event logging on the buckets; a principal that suddenly reads many objects or bytes from a bucket it rarely touches is what exfiltration looks like. Pass a bucket to see one, or * (the default) for all.
-- tags: s3, data-events, exfiltration, volume
-- param: bucket string *  One bucket name, or * for every bucket
-- param: min_bytes int 0  Only principal and bucket pairs with at least this many bytes sent
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 100  Most rows returned
-- The placeholder is used once, so it has one type wherever it is compared.
WITH wanted AS (SELECT CAST($bucket AS VARCHAR) AS b),
reads AS (
    SELECT c.eventtime,
           c.errorcode,
           c.sourceipaddress,
           coalesce(c.useridentity.arn, c.useridentity.invokedby, c.useridentity.principalid, c.useridentity.type) AS principal,
           c.requestparameters->>'bucketName' AS bucket,
           c.requestparameters->>'key' AS object_key,
           coalesce(CAST(c.additionaleventdata->>'bytesTransferredOut' AS DOUBLE), 0) AS bytes_out
    FROM cloudtrail c, wanted w
    WHERE c.eventsource = 's3.amazonaws.com'
      AND c.eventname IN ('GetObject', 'GetObjectVersion', 'SelectObjectContent', 'GetObjectTorrent')
      AND (w.b = '*' OR c.requestparameters->>'bucketName' = w.b)
      AND c.eventtime >= $since
      AND c.eventtime <= $until
)
SELECT principal,
       bucket,
       count(*) AS downloads,
       count(DISTINCT object_key) AS objects,
       CAST(sum(CASE WHEN errorcode IS NULL THEN bytes_out ELSE 0 END) AS BIGINT) AS bytes_out,
       round(sum(CASE WHEN errorcode IS NULL THEN bytes_out ELSE 0 END) / 1048576.0, 2) AS mib_out,
       CAST(max(bytes_out) AS BIGINT) AS largest_object_bytes,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS refused,
       count(DISTINCT sourceipaddress) AS source_ips,
       array_to_string(array_slice(array_sort(array_agg(DISTINCT sourceipaddress)), 1, 10), ', ') AS sample_ips,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen
FROM reads
GROUP BY principal, bucket
HAVING sum(CASE WHEN errorcode IS NULL THEN bytes_out ELSE 0 END) >= $min_bytes
ORDER BY bytes_out DESC, downloads DESC, principal, bucket
LIMIT $limit
