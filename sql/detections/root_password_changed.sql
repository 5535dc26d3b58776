-- title: Root user password changed
-- description: A successful PasswordUpdated sign-in event for the root user: whoever changed it now controls the most powerful credential of the account and can lock its owner out; an unexpected change is a sign of account takeover (often after a root password recovery by e-mail). One finding per account, region and source address.
-- severity: high
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098 Account Manipulation
-- catalogue: root-password-changed
-- stratus: -
-- panther: AWS.CloudTrail.RootPasswordChanged
-- false_positives: The account owner rotating the root password on purpose (for instance after a staff change); confirm with the owner.
-- tags: root, signin, password, persistence, account-takeover
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS changes,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useragent, ''))), ', ') AS user_agents
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'PasswordUpdated'
  AND useridentity.type = 'Root'
  AND responseelements->>'PasswordUpdated' = 'Success'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), sourceipaddress, recipientaccountid, awsregion
ORDER BY first_seen
