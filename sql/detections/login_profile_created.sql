-- title: Console password created or reset for an IAM user
-- description: A successful CreateLoginProfile (console password added to a user), or UpdateLoginProfile on another user's password: the caller gains console access as that user, a common persistence and account-takeover step. One finding per principal, account, region and target user.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.001 Account Manipulation: Additional Cloud Credentials
-- catalogue: login-profile-created, login-profile-updated
-- stratus: aws.persistence.iam-create-user-login-profile, aws.privilege-escalation.iam-update-user-login-profile
-- panther: AWS.CloudTrail.LoginProfileCreatedOrModified, AWS.User.Login.Profile.Modified, AWS.IAM.CredentialsUpdated
-- false_positives: Onboarding of new console users and help-desk password resets by IAM administrators; allow-list those principals.
-- tags: iam, console, login-profile, password, persistence, privilege-escalation
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'userName', useridentity.username) AS target_user,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'passwordResetRequired')), ', ') AS password_reset_required
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND errorcode IS NULL
  AND (eventname = 'CreateLoginProfile'
       OR (eventname = 'UpdateLoginProfile'
           AND (coalesce(useridentity.type, '') <> 'IAMUser'
                OR coalesce(requestparameters->>'userName', useridentity.username, '') <> coalesce(useridentity.username, ''))))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
