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
-- tags: access-denied, discovery, reconnaissance, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 15  Fewest denied calls in one window to report
-- param: window interval 10m  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS denied_calls,
       count(DISTINCT eventname) AS distinct_apis,
       array_to_string(array_agg(DISTINCT eventsource), ', ') AS services,
       array_to_string(array_agg(DISTINCT errorcode), ', ') AS errors
FROM cloudtrail
WHERE (errorcode IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation',
                     'UnauthorizedAccess', 'Unauthorized', 'AuthorizationError', 'AuthorizationErrorException', 'Forbidden')
       OR errorcode LIKE '%UnauthorizedOperation')
  AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
  AND coalesce(useragent, '') NOT LIKE 'aws-internal%'
  AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING count(*) >= $threshold
ORDER BY first_seen
