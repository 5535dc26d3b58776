-- title: API credentials turned into a console session (GetSigninToken)
-- description: A successful federation GetSigninToken outside the IAM Identity Center portal: tools such as aws_consoler exchange stolen access keys or role sessions for a console sign-in URL, moving from the API to the console where CloudTrail shows less. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0008 Lateral Movement
-- attack_technique: T1550.001 Use Alternate Authentication Material: Application Access Token
-- catalogue: getsignintoken-console-pivot
-- stratus: -
-- panther: AWS.Console.GetSigninToken.Abuse
-- false_positives: Internal federation brokers and custom SSO portals that call the federation endpoint; allow-list their roles and user agents.
-- tags: console, federation, signin, lateral-movement, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useragent, ''))), ', ') AS user_agents,
       count(*) AS tokens
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'GetSigninToken'
  AND coalesce(useridentity.arn, '') NOT LIKE '%:assumed-role/AWSReservedSSO_%'
  AND coalesce(useragent, '') NOT LIKE 'Jersey/%'
  AND errorcode IS NULL
  AND coalesce(responseelements->>'GetSigninToken', 'Success') = 'Success'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
