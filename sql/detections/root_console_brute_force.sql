-- title: Repeated failed root console sign-ins
-- description: At least threshold failed console sign-ins as the root user of one account within one window: someone is guessing the root password, the most powerful credential in the account. One finding per account, region and time window.
-- severity: high
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1110.001 Brute Force: Password Guessing
-- catalogue: root-console-brute-force
-- stratus: -
-- panther: AWS.Console.RootLoginFailed
-- per_event: threshold=1
-- false_positives: The owner mistyping a forgotten root password several times during a recovery; confirm with the account owner.
-- tags: console, root, authentication, brute-force, credential-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 5  Failed root sign-ins in one window that raise a finding
-- param: window interval 15m  Length of the counting window
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS failures,
       count(DISTINCT sourceipaddress) AS source_ips,
       array_to_string(array_sort(array_agg(DISTINCT sourceipaddress)), ', ') AS source_ip_list
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND (responseelements->>'ConsoleLogin' = 'Failure' OR errormessage IS NOT NULL)
  AND useridentity.type = 'Root'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(*) >= $threshold
ORDER BY first_seen
