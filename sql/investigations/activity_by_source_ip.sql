-- title: Activity by source IP
-- description: What each source address did: events, principals, access keys, APIs, errors and the time span. Pass an address to see one, or * (the default) for all, busiest first. AWS service callers (ec2.amazonaws.com, AWS Internal) are left out unless asked for.
-- tags: network, timeline
-- param: ip string *  One address, or * for every address
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 100  Most rows returned
-- The placeholder is used once, so it has one type wherever the address is compared.
WITH wanted AS (SELECT CAST($ip AS VARCHAR) AS ip)
SELECT sourceipaddress,
       count(*) AS events,
       count(DISTINCT useridentity.arn) AS principals,
       count(DISTINCT useridentity.accesskeyid) AS access_keys,
       count(DISTINCT eventname) AS apis,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS errors,
       is_private_ip(sourceipaddress) AS private,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen
FROM cloudtrail, wanted
WHERE (wanted.ip = '*' OR sourceipaddress = wanted.ip)
  AND (wanted.ip <> '*' OR NOT coalesce(is_aws_service_source(sourceipaddress), false))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY sourceipaddress
ORDER BY events DESC, sourceipaddress
LIMIT $limit
