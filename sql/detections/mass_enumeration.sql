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
-- One row per distinct API in each window, with its first call as evidence: a window
-- is over the threshold by its distinct APIs, which one call each shows. Counted and
-- judged from this one aggregate (an earlier form found the busy windows first and
-- then read every call of them again, a second scan and a join, and gave every call
-- as evidence: hundreds per finding for an automation role).
apis AS (
    SELECT principal, recipientaccountid, awsregion, window_start, eventsource,
           count(*) AS calls,
           min(eventtime) AS first_time,
           max(eventtime) AS last_time,
           first_value(eventid ORDER BY eventtime, eventid) AS first_id,
           min(sourceipaddress) AS sourceip
    FROM calls
    GROUP BY principal, recipientaccountid, awsregion, window_start, eventsource, eventname
),
-- Each window's distinct APIs counted beside its rows, so that only the windows over
-- the threshold are aggregated below: lists ordered in each of tens of thousands of
-- quiet windows took seconds.
counted AS (
    SELECT *, count(*) OVER (PARTITION BY principal, recipientaccountid, awsregion, window_start) AS distinct_apis
    FROM apis
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
FROM counted
WHERE distinct_apis >= $threshold
-- NULL principal, account or region forms a group too.
GROUP BY principal, recipientaccountid, awsregion, window_start, distinct_apis
ORDER BY first_seen, account, region, principal
