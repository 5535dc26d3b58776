-- title: New MFA device registered for an IAM user
-- description: A successful iam:CreateVirtualMFADevice or iam:EnableMFADevice: an attacker holding a user's credentials can bind their own authenticator to the account, keeping MFA-gated access and locking the owner out. One finding per principal, account and region, flagging temporary (ASIA) session credentials.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1556.006 Modify Authentication Process: Multi-Factor Authentication
-- catalogue: mfa-device-registered
-- stratus: -
-- false_positives: Users enrolling or replacing MFA devices, especially during onboarding; unexpected when done from a session key or for another user.
-- tags: iam, mfa, persistence
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'userName', requestparameters->>'virtualMFADeviceName', ''))), ', ') AS targets,
       bool_or(coalesce(useridentity.accesskeyid, '') LIKE 'ASIA%') AS session_credentials
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname IN ('CreateVirtualMFADevice', 'EnableMFADevice')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
