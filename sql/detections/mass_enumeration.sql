-- title: Mass enumeration: many distinct read-only APIs called by one principal
-- description: One principal made successful read-only calls (Describe*, List*, Get*) to many distinct APIs within a short time bucket: automated discovery of the account (Pacu, ScoutSuite, cloudfox, hand-rolled scripts) right after credentials are obtained. One finding per principal, account, region and window; its evidence is the first call of each distinct API (the calls are counted).
-- severity: low
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1526 Cloud Service Discovery
-- catalogue: mass-enumeration
-- stratus: -
-- per_event: threshold=1
-- false_positives: CSPM and inventory tools, AWS Config, Terraform plan on a large state; allow-list their roles or raise the threshold.
-- tags: discovery, enumeration, reconnaissance, distinct-count, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 20  Fewest distinct read-only APIs (service and event name) in one window to report
-- param: window interval 10m  Width of the time buckets
WITH calls AS (
    SELECT eventid, eventtime, eventsource, eventname, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           date_bin($window, eventtime) AS window_start
    FROM cloudtrail
    WHERE errorcode IS NULL
      AND (readonly = true OR regexp_like(eventname, '^(Describe|List|Get)'))
      AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
      AND coalesce(eventcategory, 'Management') = 'Management'
      AND eventtime >= $since
      AND eventtime <= $until
),
-- The windows over the threshold, found with cheap aggregates (one row per distinct API
-- first, then a count); only their events are gathered into evidence below.
busy AS (
    SELECT principal, recipientaccountid, awsregion, window_start, count(*) AS distinct_apis
    FROM (SELECT DISTINCT principal, recipientaccountid, awsregion, window_start, eventsource, eventname
          FROM calls) apis
    GROUP BY principal, recipientaccountid, awsregion, window_start
    HAVING count(*) >= $threshold
),
-- The calls of those windows, one row per distinct API with its first call: a window is
-- over the threshold by its distinct APIs, which one call each shows (every call as
-- evidence was hundreds per finding for an automation role, and correlation reads each).
apis AS (
    SELECT c.principal, c.recipientaccountid, c.awsregion, c.window_start, b.distinct_apis, c.eventsource,
           count(*) AS calls,
           min(c.eventtime) AS first_time,
           max(c.eventtime) AS last_time,
           first_value(c.eventid ORDER BY c.eventtime, c.eventid) AS first_id,
           min(c.sourceipaddress) AS sourceip
    FROM busy b
    -- busy first: the small side, which the join holds in memory. IS NOT DISTINCT FROM: a NULL
    -- principal, account or region forms a group too.
    JOIN calls c
      ON (c.principal IS NOT DISTINCT FROM b.principal)
     AND (c.recipientaccountid IS NOT DISTINCT FROM b.recipientaccountid)
     AND (c.awsregion IS NOT DISTINCT FROM b.awsregion)
     AND (c.window_start IS NOT DISTINCT FROM b.window_start)
    GROUP BY c.principal, c.recipientaccountid, c.awsregion, c.window_start, b.distinct_apis, c.eventsource, c.eventname
)
SELECT array_agg(first_id ORDER BY first_time, first_id) AS eventids,
       min(first_time) AS first_seen,
       max(last_time) AS last_seen,
       principal,
       min(sourceip) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       window_start,
       sum(calls) AS calls,
       distinct_apis,
       count(DISTINCT eventsource) AS services,
       array_to_string(array_sort(array_agg(DISTINCT eventsource)), ', ') AS service_list
FROM apis
GROUP BY principal, recipientaccountid, awsregion, window_start, distinct_apis
ORDER BY first_seen, account, region, principal
