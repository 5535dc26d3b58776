-- title: KMS key policy opened to everyone or another account
-- description: A successful PutKeyPolicy, or CreateKey with a policy, whose policy allows Principal "*" or names an account other than the key's own: anyone or an outside account can then use the key, to read data or to encrypt it for extortion. One finding per principal, account, region and key.
-- severity: medium
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1548 Abuse Elevation Control Mechanism
-- catalogue: kms-key-policy-modified
-- stratus: -
-- panther: AWS.CloudTrail.ResourceMadePublic
-- false_positives: Keys shared on purpose with partner, logging or organisation accounts, and "*" principals narrowed by kms:CallerAccount or aws:PrincipalOrgID conditions; review the conditions and allow-list known accounts.
-- tags: kms, key-policy, resource-sharing, privilege-escalation, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'keyId', json_extract_scalar(responseelements, '$.keyMetadata.arn'), '') AS key,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       bool_or(regexp_like(requestparameters->>'policy', '"Principal"\s*:\s*"\*"|"AWS"\s*:\s*(\[[^\]]*)?"\*"')) AS public,
       bool_or(regexp_like(replace(requestparameters->>'policy', recipientaccountid, ''), 'arn:aws[a-z-]*:iam::[0-9]{12}:|"AWS"\s*:\s*(\[[^\]]*)?"[0-9]{12}"')) AS external_account
FROM cloudtrail
WHERE eventsource = 'kms.amazonaws.com'
  AND eventname IN ('PutKeyPolicy', 'CreateKey')
  AND errorcode IS NULL
  AND requestparameters->>'policy' IS NOT NULL
  AND (regexp_like(requestparameters->>'policy', '"Principal"\s*:\s*"\*"|"AWS"\s*:\s*(\[[^\]]*)?"\*"')
       OR regexp_like(replace(requestparameters->>'policy', recipientaccountid, ''), 'arn:aws[a-z-]*:iam::[0-9]{12}:|"AWS"\s*:\s*(\[[^\]]*)?"[0-9]{12}"'))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
