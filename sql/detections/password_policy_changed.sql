-- title: Account password policy changed or deleted
-- description: A successful iam:UpdateAccountPasswordPolicy or iam:DeleteAccountPasswordPolicy: weakening or removing the account's password rules (length, reuse, expiry) makes passwords easier to guess and keep, and is rarely touched outside initial setup. One finding per principal, account and region with the new settings.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1556 Modify Authentication Process
-- catalogue: password-policy-changed
-- stratus: -
-- false_positives: Initial account baselining and compliance tooling that (re)applies the policy; allow-list those roles.
-- tags: iam, password-policy, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       min(CAST(json_extract_scalar(requestparameters, '$.minimumPasswordLength') AS BIGINT)) AS min_length_set,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters, ''))), ' | ') AS settings
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname IN ('UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
