-- title: IAM access key created
-- description: A new long-lived IAM access key was created: access keys work from anywhere until deleted, so an unexpected one is a classic way to keep access to an account. One finding per principal, account, region and key owner.
-- severity: info
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.001 Account Manipulation: Additional Cloud Credentials
-- catalogue: access-key-created
-- stratus: aws.persistence.iam-backdoor-user, aws.persistence.iam-create-admin-user
-- panther: AWS.IAM.CredentialsUpdated
-- false_positives: Key rotation by users and credential-rotation automation; CreateAccessKey for another user is covered by access-key-for-other-user.
-- tags: iam, access-key, credentials, persistence, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'userName', json_extract_scalar(responseelements, '$.accessKey.userName'), useridentity.username, '') AS key_owner,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(responseelements, '$.accessKey.accessKeyId'), ''))), ', ') AS access_keys,
       count(*) AS keys_created
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateAccessKey'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
