-- title: IAM Identity Center (SSO) sign-in and token activity
-- description: IAM Identity Center sign-in records: Authenticate (a user signing in to the AWS access portal), ListApplications (the portal loading the user's applications, also what the browser step of an `aws sso login` device prompt shows) and CreateToken (an access token issued to a client, such as the AWS CLI after the device prompt). These are the traces to follow after a phished portal session or a device-code phishing attack, where the victim approves a code the attacker started and the attacker's CLI receives the token. One finding per user, account and day, with the source addresses, user agents and steps seen.
-- severity: info
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: console-login-signal
-- stratus: -
-- panther: AWS.Console.Sign-In, Sign-in.with.AWS.CLI.prompt, Retrieve.SSO.access.token
-- false_positives: Every SSO user signs in daily; this is an inventory to pivot from (a user, an address, a token issued with no portal sign-in by the same user shortly before), not an alert.
-- tags: sso, identity-center, signin, authentication, initial-access, inventory, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.username, useridentity.principalid, useridentity.type, 'unknown') AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_trunc('day', eventtime) AS day,
       count(*) AS events,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS steps,
       count(*) FILTER (WHERE eventname = 'CreateToken') AS tokens_issued,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(sourceipaddress, ''))), ', ') AS source_ips,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useragent, ''))), ', ') AS user_agents
FROM cloudtrail
WHERE ((eventsource = 'sso.amazonaws.com' AND eventname IN ('Authenticate', 'ListApplications', 'CreateToken'))
       OR (eventsource = 'sso-oauth.amazonaws.com' AND eventname = 'CreateToken'))
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.username, useridentity.principalid, useridentity.type, 'unknown'),
         recipientaccountid, awsregion, date_trunc('day', eventtime)
ORDER BY first_seen
