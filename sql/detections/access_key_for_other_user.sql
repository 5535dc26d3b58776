-- title: Access key created for another IAM user
-- description: A successful CreateAccessKey whose target userName is not the caller (another IAM user, or a call made by a role, root or federated session): long-term keys minted for someone else are a classic backdoor. One finding per principal, account, region and target user.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.001 Account Manipulation: Additional Cloud Credentials
-- catalogue: access-key-for-other-user
-- stratus: aws.persistence.iam-backdoor-user, aws.persistence.iam-create-admin-user
-- panther: AWS.IAM.Backdoor.User.Keys
-- false_positives: IAM administrators and provisioning pipelines issuing keys for service users, key rotation tooling; allow-list those principals.
-- tags: iam, access-key, credentials, persistence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'userName' AS target_user,
       count(*) AS keys_created,
       array_to_string(array_sort(array_agg(DISTINCT json_extract_scalar(responseelements, '$.accessKey.accessKeyId'))), ', ') AS access_key_ids
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateAccessKey'
  AND errorcode IS NULL
  AND (requestparameters->>'userName') IS NOT NULL
  AND (coalesce(useridentity.type, '') <> 'IAMUser'
       OR requestparameters->>'userName' <> coalesce(useridentity.username, ''))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'userName'
ORDER BY first_seen
