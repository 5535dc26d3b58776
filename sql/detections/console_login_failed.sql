-- title: Failed console sign-in
-- description: An AWS console sign-in failed (wrong password or failed authentication): a single failure is weak on its own but is the raw signal behind password guessing and spraying, and failures for root or privileged users deserve a look. One finding per principal, account, region and source address.
-- severity: info
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1110 Brute Force
-- catalogue: console-login-failed
-- stratus: -
-- false_positives: Users mistyping their password; this is a hunting signal, use the brute-force and spray detections for alerting.
-- tags: console, authentication, failed-login, credential-access, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useridentity.username, useridentity.principalid, ''))), ', ') AS user_names,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(errormessage, ''))), ', ') AS error_messages,
       count(*) AS failures
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND (responseelements->>'ConsoleLogin' = 'Failure' OR errormessage IS NOT NULL)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), sourceipaddress, recipientaccountid, awsregion
ORDER BY first_seen
