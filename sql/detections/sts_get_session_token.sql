-- title: GetSessionToken called by an IAM user
-- description: A successful sts:GetSessionToken by an IAM user: it turns a long-term access key into temporary credentials that survive the key's deactivation and cannot call IAM without MFA, a way for a stolen key to spawn harder-to-trace sessions. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1550.001 Use Alternate Authentication Material: Application Access Token
-- catalogue: sts-get-session-token
-- stratus: -
-- panther: AWS.STS.GetSessionToken.Misuse
-- false_positives: CLI users and tools that fetch MFA-backed session tokens as a matter of course (aws-mfa and similar); allow-list those users or require tokenCode to be absent.
-- tags: sts, session-token, temporary-credentials, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS tokens,
       bool_or(requestparameters->>'serialNumber' IS NOT NULL) AS with_mfa,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useridentity.accesskeyid, ''))), ', ') AS access_key_ids
FROM cloudtrail
WHERE eventsource = 'sts.amazonaws.com'
  AND eventname = 'GetSessionToken'
  AND useridentity.type = 'IAMUser'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
