-- title: API called by a principal for the first time
-- description: A principal successfully called an API (event source and name) it had not called in the lookback window: stolen credentials used for something their owner never does. A simple first-seen stand-in for rare-method anomaly models; noisy by design, best filtered to sensitive principals or write calls. One finding per principal, account and region, listing the new APIs.
-- severity: low
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: rare-api-by-user
-- stratus: -
-- per_event: lookback=0s
-- false_positives: New features, new deployments and people changing roles all produce first calls; use with a long lookback, and restrict with only_writes. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: first-seen, anomaly, valid-accounts, initial-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 14d  History searched for an earlier call of the same API by the same principal; also the learning period at the start of the data
-- param: only_writes bool false  Report only APIs that are not read-only
WITH calls AS (
    SELECT eventid, eventtime, eventsource, eventname, readonly, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal
    FROM cloudtrail
    WHERE errorcode IS NULL
      AND eventtime >= $history_from
      AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
      AND coalesce(eventcategory, 'Management') <> 'Insight'
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       c.principal AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       count(DISTINCT c.eventsource || ':' || c.eventname) AS new_apis,
       array_to_string(array_sort(array_agg(DISTINCT c.eventsource || ':' || c.eventname)), ', ') AS apis
FROM calls c
WHERE c.eventtime >= $since
  AND c.eventtime <= $until
  AND c.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND (coalesce(c.readonly, false) = false OR coalesce(c.readonly, false) <> $only_writes)
  AND NOT EXISTS (
        SELECT 1 FROM calls h
        WHERE h.principal = c.principal
          AND h.recipientaccountid = c.recipientaccountid
          AND h.eventsource = c.eventsource
          AND h.eventname = c.eventname
          AND h.eventtime < c.eventtime
          AND h.eventtime >= c.eventtime - $lookback)
GROUP BY c.principal, c.recipientaccountid, c.awsregion
ORDER BY first_seen
