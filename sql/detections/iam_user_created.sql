-- title: IAM user created
-- description: A new IAM user was created: long-lived IAM users with their own passwords and access keys are a favourite persistence mechanism, and in accounts that use federation any new user stands out. One finding per principal, account and region.
-- severity: info
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1136.003 Create Account: Cloud Account
-- catalogue: iam-user-created
-- stratus: aws.persistence.iam-create-admin-user
-- panther: AWS.IAM.CreateUser, AWS.IAM.CredentialsUpdated, Standard.NewUserAccountCreated
-- false_positives: User onboarding in accounts that still use IAM users, service users created by infrastructure-as-code pipelines; allow-list those principals.
-- tags: iam, user, persistence, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'userName', json_extract_scalar(responseelements, '$.user.userName'), ''))), ', ') AS new_users,
       count(*) AS users_created
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateUser'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
