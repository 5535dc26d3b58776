-- title: Burst of access-denied errors from one principal
-- description: Many calls by one principal failed with AccessDenied or UnauthorizedOperation within a time bucket: stolen credentials with limited rights probing what they can do. AWS service principals, calls from AWS service addresses and console-internal (aws-internal) calls are left out. One finding per principal, account, region and window.
-- severity: info
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1580 Cloud Infrastructure Discovery
-- catalogue: access-denied-recon
-- stratus: -
-- panther: AWS.IAMUser.ReconAccessDenied, AWS.CloudTrail.UnauthorizedAPICall
-- per_event: threshold=1
-- false_positives: Misconfigured applications retrying a denied call and users exploring the console with narrow permissions; look at how many distinct APIs failed.
-- tags: access-denied, discovery, reconnaissance, threshold, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 15  Fewest denied calls in one window to report
-- param: window interval 10m  Width of the time buckets
WITH denied AS (
    SELECT eventid, eventtime, eventsource, eventname, errorcode, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           date_bin($window, eventtime) AS window_start
    FROM cloudtrail
    WHERE (errorcode IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation',
                         'UnauthorizedAccess', 'Unauthorized', 'AuthorizationError', 'AuthorizationErrorException', 'Forbidden')
           OR errorcode LIKE '%UnauthorizedOperation')
      AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
      AND coalesce(useragent, '') NOT LIKE 'aws-internal%'
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
      AND eventtime >= $since
      AND eventtime <= $until
),
-- The windows over the threshold, found with a plain count; only their events are
-- gathered into evidence below.
busy AS (
    SELECT principal, recipientaccountid, awsregion, window_start
    FROM denied
    GROUP BY principal, recipientaccountid, awsregion, window_start
    HAVING count(*) >= $threshold
)
SELECT array_agg(d.eventid ORDER BY d.eventtime, d.eventid) AS eventids,
       min(d.eventtime) AS first_seen,
       max(d.eventtime) AS last_seen,
       d.principal AS principal,
       min(d.sourceipaddress) AS sourceip,
       d.recipientaccountid AS account,
       d.awsregion AS region,
       d.window_start AS window_start,
       count(*) AS denied_calls,
       count(DISTINCT d.eventname) AS distinct_apis,
       array_to_string(array_sort(array_agg(DISTINCT d.eventsource)), ', ') AS services,
       array_to_string(array_sort(array_agg(DISTINCT d.errorcode)), ', ') AS errors
FROM busy b
-- busy first: the small side, which the join holds in memory. IS NOT DISTINCT FROM: a NULL
-- principal, account or region forms a group too.
JOIN denied d
  ON (d.principal IS NOT DISTINCT FROM b.principal)
 AND (d.recipientaccountid IS NOT DISTINCT FROM b.recipientaccountid)
 AND (d.awsregion IS NOT DISTINCT FROM b.awsregion)
 AND (d.window_start IS NOT DISTINCT FROM b.window_start)
GROUP BY d.principal, d.recipientaccountid, d.awsregion, d.window_start
-- Always true after the join; kept so that findings with the same first_seen keep their order.
HAVING count(*) >= $threshold
ORDER BY first_seen
