-- title: AWS quarantined a leaked access key
-- description: AWS attached its AWSCompromisedKeyQuarantine (V2/V3) managed policy, or the AWSExposedCredentialPolicy_DO_NOT_REMOVE inline policy, to an IAM identity: AWS found the identity's access key exposed in public (for example on GitHub) and the key must be assumed stolen. One finding per principal, account, region and target identity.
-- severity: high
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1552.001 Unsecured Credentials: Credentials In Files
-- catalogue: compromised-key-quarantine
-- stratus: -
-- panther: AWS.CloudTrail.IAMCompromisedKeyQuarantine, AWS.IAM.AccessKeyCompromised
-- false_positives: None expected: even if the key was never misused, it is public and must be rotated; review what it did before the quarantine.
-- tags: iam, access-key, leaked-credentials, quarantine, credential-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'userName', requestparameters->>'roleName', requestparameters->>'groupName', '') AS target,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'policyArn', requestparameters->>'policyName'))), ', ') AS policies,
       count(*) AS calls
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy')
  AND (strpos(coalesce(requestparameters->>'policyArn', requestparameters->>'policyName', ''), 'AWSCompromisedKeyQuarantine') > 0
       OR coalesce(requestparameters->>'policyName', '') = 'AWSExposedCredentialPolicy_DO_NOT_REMOVE')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
