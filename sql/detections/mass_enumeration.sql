-- title: Mass enumeration: many distinct read-only APIs called by one principal
-- description: One principal made successful read-only calls (Describe*, List*, Get*) to many distinct APIs within a short time bucket: automated discovery of the account (Pacu, ScoutSuite, cloudfox, hand-rolled scripts) right after credentials are obtained. One finding per principal, account, region and window.
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
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS calls,
       count(DISTINCT eventsource || ':' || eventname) AS distinct_apis,
       count(DISTINCT eventsource) AS services,
       array_to_string(array_agg(DISTINCT eventsource), ', ') AS service_list
FROM cloudtrail
WHERE errorcode IS NULL
  AND (readonly = true OR regexp_like(eventname, '^(Describe|List|Get)'))
  AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
  AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
  AND coalesce(eventcategory, 'Management') = 'Management'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING count(DISTINCT eventsource || ':' || eventname) >= $threshold
ORDER BY first_seen
