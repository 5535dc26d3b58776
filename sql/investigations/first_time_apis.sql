-- title: APIs a principal called for the first time
-- description: APIs (service and call) each principal used in the recent window that it had not used in the look-back period before it, with the first call, how many calls and failures, and the source addresses. A role's sessions count as the role. `known_principal` says whether the principal was active in the look-back period at all: a known principal suddenly calling IAM, STS, Secrets Manager or KMS for the first time is the lead; an unknown one is simply new. The window ends at the newest event (or at `until` if earlier), so the query works on old archives too.
-- tags: first-seen, anomaly, identity, baseline
-- param: window interval 7d  Length of the recent window
-- param: lookback interval 90d  Length of the look-back period before the window
-- param: principal string *  One user or role ARN, or * for every principal
-- param: only_writes bool false  Only calls that are not read-only
-- param: since timestamp 1970-01-01  Earliest event read, if later than the start of the look-back period
-- param: until timestamp 2100-01-01  End of the window, if earlier than the newest event
-- param: limit int 1000  Most rows returned
-- The placeholder is used once, so it has one type wherever it is compared.
WITH wanted AS (SELECT CAST($principal AS VARCHAR) AS p),
bounds AS (
    SELECT least(max(eventtime), $until) AS window_end
    FROM cloudtrail
),
periods AS (
    SELECT window_end,
           window_end - $window AS window_start,
           greatest(window_end - $window - $lookback, $since) AS lookback_start
    FROM bounds
),
ev AS (
    SELECT coalesce(c.useridentity.sessioncontext.sessionissuer.arn, c.useridentity.arn,
                    c.useridentity.invokedby, c.useridentity.principalid, c.useridentity.type) AS principal,
           c.eventsource,
           c.eventname,
           c.eventtime,
           c.errorcode,
           c.sourceipaddress,
           coalesce(c.readonly, regexp_like(c.eventname, '^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select|BatchGet|Check|Validate|Simulate)')) AS is_read
    FROM cloudtrail c, periods p
    WHERE c.eventtime >= p.lookback_start
      AND c.eventtime <= p.window_end
      AND coalesce(c.useridentity.type, '') <> 'AWSService'
),
recent AS (
    SELECT e.* FROM ev e, periods p WHERE e.eventtime >= p.window_start
),
before AS (
    SELECT DISTINCT e.principal, e.eventsource, e.eventname
    FROM ev e, periods p
    WHERE e.eventtime < p.window_start
),
known AS (
    SELECT DISTINCT e.principal FROM ev e, periods p WHERE e.eventtime < p.window_start
)
SELECT r.principal,
       r.eventsource,
       r.eventname,
       min(r.eventtime) AS first_called,
       count(*) AS calls,
       sum(CASE WHEN r.errorcode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
       array_to_string(array_slice(array_sort(array_agg(DISTINCT r.sourceipaddress)), 1, 10), ', ') AS source_ips,
       k.principal IS NOT NULL AS known_principal
FROM recent r
CROSS JOIN wanted w
LEFT JOIN before b ON b.principal = r.principal AND b.eventsource = r.eventsource AND b.eventname = r.eventname
LEFT JOIN known k ON k.principal = r.principal
WHERE b.principal IS NULL
  AND (w.p = '*' OR r.principal = w.p)
  AND (NOT r.is_read OR NOT $only_writes)
GROUP BY r.principal, r.eventsource, r.eventname, k.principal
ORDER BY known_principal DESC, first_called, r.principal, r.eventsource, r.eventname
LIMIT $limit
