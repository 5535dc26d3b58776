-- title: MFA device deactivated or virtual MFA device deleted
-- description: A successful iam:DeactivateMFADevice or iam:DeleteVirtualMFADevice: removing a user's second factor weakens sign-in protection so stolen passwords suffice, or locks the owner out before re-registering the attacker's own device. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1556.006 Modify Authentication Process: Multi-Factor Authentication
-- catalogue: mfa-device-deactivated
-- stratus: -
-- false_positives: Users replacing a lost or new phone and helpdesk MFA resets; check that a new device is enabled by the owner soon after.
-- tags: iam, mfa, defense-evasion, impact
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'userName', ''))), ', ') AS users,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'serialNumber', ''))), ', ') AS devices
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname IN ('DeactivateMFADevice', 'DeleteVirtualMFADevice')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
