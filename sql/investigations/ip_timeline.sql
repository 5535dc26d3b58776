-- title: Timeline of one source IP
-- description: What one source address did, hour by hour (or per the bucket you choose), oldest first: events, the principals and access keys behind them, the APIs called, writes and errors with their codes. Shows when an address became active, whose credentials it used and whether it moved from reconnaissance to changes.
-- tags: network, timeline
-- param: ip string required  The source address as CloudTrail records it
-- param: bucket interval 1h  Length of each time bucket
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT date_bin($bucket, eventtime, TIMESTAMP '1970-01-01 00:00:00') AS period,
       count(*) AS events,
       count(DISTINCT coalesce(useridentity.arn, useridentity.type)) AS principals,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useridentity.arn, useridentity.invokedby, useridentity.type))), ', ') AS principal_list,
       array_to_string(array_sort(array_agg(DISTINCT useridentity.accesskeyid)), ', ') AS access_keys,
       count(DISTINCT eventname) AS apis,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS api_list,
       sum(CASE WHEN coalesce(readonly, regexp_like(eventname, '^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select|BatchGet|Check|Validate|Simulate|Estimate|Preview|View)'))
                THEN 0 ELSE 1 END) AS writes,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS errors,
       array_to_string(array_sort(array_agg(DISTINCT errorcode)), ', ') AS error_codes,
       array_to_string(array_sort(array_agg(DISTINCT useragent_family(useragent))), ', ') AS agents,
       min(eventtime) AS first_event,
       max(eventtime) AS last_event
FROM cloudtrail
WHERE sourceipaddress = $ip
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY 1
ORDER BY period
LIMIT $limit
