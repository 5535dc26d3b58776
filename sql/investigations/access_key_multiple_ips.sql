-- title: Long-term access keys used from several addresses
-- description: Long-term access keys (AKIA…) used from at least `min_ips` distinct source addresses, most addresses first: the user, the addresses (how many public, how many private), user agents, events, errors and the time span. A key that normally runs from one CI runner or server and then shows up from a residential or VPN address has leaked. Calls AWS services make on the key's behalf (ec2.amazonaws.com, AWS Internal) do not count as addresses. Set include_session_keys=true to include temporary keys (ASIA…) too.
-- tags: identity, credentials, access-key, network
-- param: min_ips int 2  Only keys seen from at least this many distinct addresses
-- param: include_session_keys bool false  Also include temporary (ASIA…) keys
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 100  Most rows returned
WITH uses AS (
    SELECT useridentity.accesskeyid AS access_key,
           coalesce(useridentity.arn, useridentity.principalid, useridentity.type) AS principal,
           sourceipaddress,
           useragent,
           eventtime,
           errorcode
    FROM cloudtrail
    WHERE useridentity.accesskeyid IS NOT NULL
      AND (useridentity.accesskeyid LIKE 'AKIA%' OR $include_session_keys)
      AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT access_key,
       array_to_string(array_sort(array_agg(DISTINCT principal)), ', ') AS principal,
       count(DISTINCT sourceipaddress) AS source_ips,
       count(DISTINCT CASE WHEN NOT coalesce(is_private_ip(sourceipaddress), false) THEN sourceipaddress END) AS public_ips,
       count(DISTINCT CASE WHEN is_private_ip(sourceipaddress) THEN sourceipaddress END) AS private_ips,
       array_to_string(array_slice(array_sort(array_agg(DISTINCT sourceipaddress)), 1, 20), ', ') AS sample_ips,
       count(DISTINCT useragent) AS user_agents,
       array_to_string(array_sort(array_agg(DISTINCT useragent_family(useragent))), ', ') AS agent_families,
       count(*) AS events,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS errors,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen
FROM uses
GROUP BY access_key
HAVING count(DISTINCT sourceipaddress) >= $min_ips
ORDER BY source_ips DESC, public_ips DESC, events DESC, access_key
LIMIT $limit
