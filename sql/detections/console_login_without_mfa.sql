-- title: Console sign-in without MFA
-- description: A successful AWS console sign-in by an IAM user or the root user that did not use MFA and did not come through a SAML identity provider (SAML sign-ins report MFAUsed No because MFA, if any, happened at the IdP). Password-only console access is the first thing stolen credentials buy. One finding per principal and source address.
-- severity: medium
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: console-login-without-mfa
-- stratus: aws.initial-access.console-login-without-mfa
-- panther: AWS.Console.LoginWithoutMFA
-- false_positives: Identity Center (SSO) users authenticate MFA at the identity provider and appear as AssumedRole, not here; break-glass users without MFA by policy.
-- tags: console, authentication, mfa, initial-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.username, useridentity.type) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS logins
FROM cloudtrail
WHERE eventname = 'ConsoleLogin'
  AND responseelements->>'ConsoleLogin' = 'Success'
  AND additionaleventdata->>'MFAUsed' = 'No'
  AND useridentity.type IN ('IAMUser', 'Root')
  AND additionaleventdata->>'SamlProviderArn' IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY 4, sourceipaddress, recipientaccountid, awsregion
ORDER BY first_seen
