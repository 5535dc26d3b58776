-- title: Reconnaissance summary per principal
-- description: How much discovery each principal did: read calls (List, Describe, Get, Head, Lookup, Search…) and how many distinct ones, across how many services and regions, how many calls were denied (AccessDenied, UnauthorizedOperation and similar) and on which APIs, GetCallerIdentity calls, source addresses and the time span, broadest first. Many distinct read APIs over many services in minutes, with denials, is enumeration with freshly stolen keys. A role's sessions are listed one by one.
-- tags: reconnaissance, discovery, errors, identity
-- param: min_read_apis int 1  Only principals with at least this many distinct read APIs
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 100  Most rows returned
WITH ev AS (
    SELECT coalesce(useridentity.arn, useridentity.principalid, useridentity.type) AS principal,
           useridentity.type AS identity_type,
           eventsource,
           eventname,
           awsregion,
           sourceipaddress,
           eventtime,
           errorcode,
           coalesce(readonly, regexp_like(eventname, '^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select|BatchGet|Check|Validate|Simulate)')) AS is_read,
           regexp_like(coalesce(errorcode, ''), '(?i)(AccessDenied|Unauthorized|Forbidden|NotAuthorized|AuthorizationError)') AS denied
    FROM cloudtrail
    WHERE coalesce(useridentity.type, '') NOT IN ('AWSService')
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT principal,
       identity_type,
       count(*) AS events,
       sum(CASE WHEN is_read THEN 1 ELSE 0 END) AS read_calls,
       count(DISTINCT CASE WHEN is_read THEN eventsource || ':' || eventname END) AS distinct_read_apis,
       count(DISTINCT CASE WHEN is_read THEN eventsource END) AS services_read,
       count(DISTINCT awsregion) AS regions,
       sum(CASE WHEN denied THEN 1 ELSE 0 END) AS denied_calls,
       count(DISTINCT CASE WHEN denied THEN eventname END) AS denied_apis,
       array_to_string(array_sort(array_agg(DISTINCT CASE WHEN denied THEN eventname END)), ', ') AS denied_api_list,
       sum(CASE WHEN eventname = 'GetCallerIdentity' THEN 1 ELSE 0 END) AS get_caller_identity,
       count(DISTINCT sourceipaddress) AS source_ips,
       array_to_string(array_slice(array_sort(array_agg(DISTINCT sourceipaddress)), 1, 10), ', ') AS sample_ips,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       date_diff('minute', min(eventtime), max(eventtime)) AS span_minutes
FROM ev
GROUP BY principal, identity_type
HAVING count(DISTINCT CASE WHEN is_read THEN eventsource || ':' || eventname END) >= $min_read_apis
ORDER BY distinct_read_apis DESC, denied_calls DESC, principal
LIMIT $limit
