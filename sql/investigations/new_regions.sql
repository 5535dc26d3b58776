-- title: Regions used for the first time
-- description: Regions an account used in the recent window that it had not used in the look-back period before it: how crypto-mining and hidden infrastructure usually show up. Both periods end at the newest event in the lake, so the query works on old archives too.
-- tags: regions, first-seen, persistence
-- param: window interval 7d  Length of the recent window
-- param: lookback interval 90d  Length of the look-back period before the window
WITH bounds AS (
    SELECT max(eventtime) - $window AS window_start,
           max(eventtime) - $window - $lookback AS lookback_start
    FROM cloudtrail
),
recent AS (
    SELECT c.recipientaccountid AS account, c.awsregion, c.eventtime, c.eventname, c.useridentity.arn AS principal
    FROM cloudtrail c, bounds b
    WHERE c.eventtime >= b.window_start
),
before AS (
    SELECT DISTINCT c.recipientaccountid AS account, c.awsregion
    FROM cloudtrail c, bounds b
    WHERE c.eventtime >= b.lookback_start AND c.eventtime < b.window_start
)
SELECT r.account,
       r.awsregion,
       min(r.eventtime) AS first_seen,
       count(*) AS events,
       count(DISTINCT r.principal) AS principals,
       array_to_string(array_sort(array_agg(DISTINCT r.eventname)), ', ') AS apis
FROM recent r
LEFT JOIN before p ON p.account = r.account AND p.awsregion = r.awsregion
WHERE p.account IS NULL
GROUP BY r.account, r.awsregion
ORDER BY first_seen
