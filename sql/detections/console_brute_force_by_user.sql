-- title: Console brute force against one user
-- description: At least threshold failed console sign-ins for the same user within one window: a password-guessing attack aimed at a single account. One finding per principal, user name, account, region and time window.
-- severity: low
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1110.001 Brute Force: Password Guessing
-- catalogue: console-brute-force-by-user
-- stratus: -
-- panther: Standard.BruteForceByUser
-- per_event: threshold=1
-- false_positives: A user with a stale saved password in a browser or password manager retrying automatically; raise the threshold or allow-list the source.
-- tags: console, authentication, brute-force, credential-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 20  Failed sign-ins for one user in one window that raise a finding
-- param: window interval 1h  Length of the counting window
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       coalesce(useridentity.username, '') AS user_name,
       count(*) AS failures,
       count(DISTINCT sourceipaddress) AS source_ips,
       array_to_string(array_sort(array_agg(DISTINCT sourceipaddress)), ', ') AS source_ip_list
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND (responseelements->>'ConsoleLogin' = 'Failure' OR errormessage IS NOT NULL)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), coalesce(useridentity.username, ''), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(*) >= $threshold
ORDER BY first_seen
