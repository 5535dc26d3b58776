-- title: Root user console sign-in
-- description: A successful AWS console sign-in as the account root user: root bypasses IAM policies and should be used only for the few tasks that need it, so any root login needs an owner and a reason. One finding per principal, account, region and source address.
-- severity: high
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: root-console-login
-- stratus: -
-- panther: AWS.Console.RootLogin
-- false_positives: Documented break-glass use and root-only tasks (closing the account, changing support plans, restoring IAM access); confirm with the account owner.
-- tags: console, root, authentication, initial-access, privilege-escalation
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(additionaleventdata->>'MFAUsed', ''))), ', ') AS mfa_used,
       count(*) AS logins
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND useridentity.type = 'Root'
  AND responseelements->>'ConsoleLogin' = 'Success'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), sourceipaddress, recipientaccountid, awsregion
ORDER BY first_seen
