-- title: Repeated console sign-in failures at the MFA step
-- description: At least threshold failed console sign-ins with MFA in use (MFAUsed = Yes, or an MFA error message) for one user within one window: the password was right but the second factor failed, which points to a stolen password and MFA guessing or push fatigue. One finding per principal, user name, account, region and time window.
-- severity: medium
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1621 Multi-Factor Authentication Request Generation
-- catalogue: console-mfa-failure
-- stratus: -
-- panther: AWS.Unsuccessful.MFA.attempt
-- per_event: threshold=1
-- false_positives: Users with a drifted TOTP clock or a replaced phone retrying; confirm with the user.
-- tags: console, authentication, mfa, credential-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 2  MFA-step failures for one user in one window that raise a finding
-- param: window interval 15m  Length of the counting window
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
       array_to_string(array_sort(array_agg(DISTINCT sourceipaddress)), ', ') AS source_ip_list
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND (responseelements->>'ConsoleLogin' = 'Failure' OR errormessage IS NOT NULL)
  AND (additionaleventdata->>'MFAUsed' = 'Yes' OR strpos(lower(coalesce(errormessage, '')), 'mfa') > 0)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), coalesce(useridentity.username, ''), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(*) >= $threshold
ORDER BY first_seen
