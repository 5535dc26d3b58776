-- title: Inactive IAM access key reactivated
-- description: A successful iam:UpdateAccessKey setting an access key's status back to Active: a key that was switched off (rotated out, or quarantined after a leak) works again, which revives credentials an intruder may already hold without creating a new key that key-creation rules would catch. One finding per principal, account, region and key owner.
-- severity: low
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.001 Account Manipulation: Additional Cloud Credentials
-- catalogue: access-key-reactivated
-- stratus: -
-- false_positives: An administrator undoing a mistaken deactivation, or a rotation that is rolled back; check whether the key was deactivated on purpose (for example by AWSCompromisedKeyQuarantine) before it came back.
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
       coalesce(requestparameters->>'userName', principal_name(useridentity.arn), useridentity.type) AS key_owner,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'accessKeyId', ''))), ', ') AS access_keys
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'UpdateAccessKey'
  AND requestparameters->>'status' = 'Active'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
