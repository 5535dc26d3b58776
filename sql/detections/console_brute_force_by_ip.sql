-- title: Console brute force from one source address
-- description: At least threshold failed console sign-ins from the same source IP address within one window, whatever users they target: an automated password-guessing source. One finding per source address, account, region and time window.
-- severity: medium
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1110 Brute Force
-- catalogue: console-brute-force-by-ip
-- stratus: -
-- panther: Standard.BruteForceByIP
-- per_event: threshold=1
-- false_positives: Shared egress addresses (corporate NAT, VPN) where many users mistype passwords at once; raise the threshold or allow-list those ranges.
-- tags: console, authentication, brute-force, credential-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 20  Failed sign-ins from one address in one window that raise a finding
-- param: window interval 1h  Length of the counting window
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       min(coalesce(useridentity.arn, useridentity.type)) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS failures,
       count(DISTINCT coalesce(useridentity.arn, useridentity.username, useridentity.type)) AS users,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useridentity.username, useridentity.arn, useridentity.type))), ', ') AS user_names
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND (responseelements->>'ConsoleLogin' = 'Failure' OR errormessage IS NOT NULL)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY sourceipaddress, recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(*) >= $threshold
ORDER BY first_seen
