-- title: Denied calls over time per principal
-- description: Per time bucket (an hour by default) and principal: calls refused for lack of permission (AccessDenied, AccessDeniedException, UnauthorizedOperation, Client.UnauthorizedOperation and similar), out of how many calls, with the error codes, the APIs refused and the source addresses, oldest first. A burst of denials right after a principal's first appearance is someone probing what stolen credentials can do. Set only_denied=false to count every error code (throttling, missing resources…).
-- tags: errors, reconnaissance, identity, timeline
-- param: only_denied bool true  Only permission errors; false counts every error
-- param: bucket interval 1h  Length of each time bucket
-- param: min_errors int 1  Only buckets with at least this many errors for the principal
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
WITH ev AS (
    SELECT date_bin($bucket, eventtime, TIMESTAMP '1970-01-01 00:00:00') AS period,
           coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
           eventname,
           errorcode,
           sourceipaddress,
           errorcode IS NOT NULL
               AND (regexp_like(errorcode, '(?i)(AccessDenied|Unauthorized|Forbidden|NotAuthorized|AuthorizationError)')
                    OR NOT $only_denied) AS counted
    FROM cloudtrail
    WHERE eventtime >= $since
      AND eventtime <= $until
)
SELECT period,
       principal,
       sum(CASE WHEN counted THEN 1 ELSE 0 END) AS errors,
       count(*) AS calls,
       round(100.0 * sum(CASE WHEN counted THEN 1 ELSE 0 END) / count(*), 1) AS error_percent,
       array_to_string(array_sort(array_agg(DISTINCT CASE WHEN counted THEN errorcode END)), ', ') AS error_codes,
       count(DISTINCT CASE WHEN counted THEN eventname END) AS apis_refused,
       array_to_string(array_sort(array_agg(DISTINCT CASE WHEN counted THEN eventname END)), ', ') AS api_list,
       array_to_string(array_slice(array_sort(array_agg(DISTINCT CASE WHEN counted THEN sourceipaddress END)), 1, 10), ', ') AS source_ips
FROM ev
GROUP BY period, principal
HAVING sum(CASE WHEN counted THEN 1 ELSE 0 END) >= $min_errors
ORDER BY period, errors DESC, principal
LIMIT $limit
