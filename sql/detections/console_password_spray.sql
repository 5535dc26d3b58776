-- title: Console password spray from one source address
-- description: Failed console sign-ins for at least threshold distinct user names from the same source IP address within one window: one password tried against many accounts, a spray that per-user lockout and per-user thresholds miss. One finding per source address, account, region and time window.
-- severity: medium
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1110.003 Brute Force: Password Spraying
-- catalogue: console-password-spray
-- stratus: -
-- panther: AWS.CloudTrail.PasswordSpraying
-- per_event: threshold=1
-- false_positives: Shared egress addresses (corporate NAT, VPN, training rooms) where several users fail at once; CloudTrail records unknown user names as HIDDEN_DUE_TO_SECURITY_REASONS, which collapse into one name.
-- tags: console, authentication, password-spray, brute-force, credential-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 10  Distinct user names failing from one address in one window that raise a finding
-- param: window interval 1h  Length of the counting window
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       min(coalesce(useridentity.arn, useridentity.type)) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(DISTINCT coalesce(useridentity.username, useridentity.arn, useridentity.principalid, useridentity.type)) AS users,
       count(*) AS failures,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useridentity.username, useridentity.arn, useridentity.type))), ', ') AS user_names
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND (responseelements->>'ConsoleLogin' = 'Failure' OR errormessage IS NOT NULL)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY sourceipaddress, recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(DISTINCT coalesce(useridentity.username, useridentity.arn, useridentity.principalid, useridentity.type)) >= $threshold
ORDER BY first_seen
