-- title: Event volume per hour and service
-- description: A baseline of activity: events per time bucket (an hour by default) and service, with reads, writes, errors, principals, source addresses and APIs, oldest first. Spikes of writes or errors, a service that is normally silent, or activity at hours the account is usually idle stand out against it. Pass a service (s3.amazonaws.com, or just s3) to see one, or * (the default) for all.
-- tags: baseline, volume, timeline
-- param: service string *  One event source (s3.amazonaws.com or s3), or * for every service
-- param: bucket interval 1h  Length of each time bucket
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 10000  Most rows returned
-- The placeholder is used once, so it has one type wherever it is compared.
WITH wanted AS (SELECT CAST($service AS VARCHAR) AS s)
SELECT date_bin($bucket, c.eventtime, TIMESTAMP '1970-01-01 00:00:00') AS period,
       c.eventsource,
       count(*) AS events,
       sum(CASE WHEN coalesce(c.readonly, regexp_like(c.eventname, '^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select|BatchGet|Check|Validate|Simulate)'))
                THEN 1 ELSE 0 END) AS reads,
       sum(CASE WHEN coalesce(c.readonly, regexp_like(c.eventname, '^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select|BatchGet|Check|Validate|Simulate)'))
                THEN 0 ELSE 1 END) AS writes,
       sum(CASE WHEN c.errorcode IS NOT NULL THEN 1 ELSE 0 END) AS errors,
       count(DISTINCT coalesce(c.useridentity.arn, c.useridentity.invokedby, c.useridentity.type)) AS principals,
       count(DISTINCT c.sourceipaddress) AS source_ips,
       count(DISTINCT c.eventname) AS apis
FROM cloudtrail c, wanted w
WHERE (w.s = '*' OR c.eventsource = w.s OR split_part(c.eventsource, '.', 1) = w.s)
  AND c.eventtime >= $since
  AND c.eventtime <= $until
GROUP BY 1, 2
ORDER BY period, events DESC, c.eventsource
LIMIT $limit
