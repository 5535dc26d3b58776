-- title: KMS grant issued to a principal in another account
-- description: A successful kms:CreateGrant whose granteePrincipal is an ARN of another account than the one recording the call: the grant lets that outside principal use the key (Decrypt, GenerateDataKey, CreateGrant...) without any change to the key policy, so it can read snapshots, volumes and secrets encrypted under it and keeps working until the grant is retired. One finding per principal, account, region and grantee account.
-- severity: medium
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1098 Account Manipulation
-- catalogue: kms-cross-account-grant
-- stratus: -
-- false_positives: Cross-account sharing of encrypted snapshots or AMIs with a backup or workload account, and services that create grants for a partner account; allow-list those grantee accounts or the principals that create them.
-- tags: kms, grant, cross-account, privilege-escalation, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       arn_account(requestparameters->>'granteePrincipal') AS grantee_account,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'granteePrincipal')), ', ') AS grantees,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(responseelements->>'keyId', requestparameters->>'keyId', ''))), ', ') AS keys,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.operations'))), ', ') AS operations
FROM cloudtrail
WHERE eventsource = 'kms.amazonaws.com'
  AND eventname = 'CreateGrant'
  AND arn_account(requestparameters->>'granteePrincipal') <> recipientaccountid
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
