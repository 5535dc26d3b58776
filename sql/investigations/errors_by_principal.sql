-- title: Errors by principal
-- description: Failed calls (AccessDenied, UnauthorizedOperation and every other error code) per principal and error code, with the APIs involved and the first and last time seen. Many denials from one principal is how reconnaissance with stolen keys looks.
-- tags: identity, errors, reconnaissance
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: min_errors int 1  Only principals with at least this many errors
-- param: limit int 100  Most rows returned
SELECT coalesce(useridentity.arn, useridentity.type) AS principal,
       errorcode,
       count(*) AS errors,
       count(DISTINCT eventname) AS distinct_apis,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS apis,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen
FROM cloudtrail
WHERE errorcode IS NOT NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY 1, 2
HAVING count(*) >= $min_errors
ORDER BY errors DESC, principal, errorcode
LIMIT $limit
