-- title: KMS key disabled or scheduled for deletion
-- description: A successful kms DisableKey or ScheduleKeyDeletion: data encrypted under the key becomes unreadable now (disabled) or for good once the waiting period ends, a destructive or extortion step. One finding per principal, account and region, with the keys and the shortest waiting period.
-- severity: low
-- attack_tactic: TA0040 Impact
-- attack_technique: T1485 Data Destruction
-- catalogue: kms-key-disabled-or-deleted
-- stratus: -
-- panther: AWS.KMS.CustomerManagedKeyLoss
-- false_positives: Key rotation clean-up and teardown of test keys by infrastructure-as-code; allow-list those principals and check pending_window_days.
-- tags: kms, encryption, impact, data-destruction
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'keyId', ''))), ', ') AS keys,
       min(CAST(requestparameters->>'pendingWindowInDays' AS INT)) AS pending_window_days
FROM cloudtrail
WHERE eventsource = 'kms.amazonaws.com'
  AND eventname IN ('DisableKey', 'ScheduleKeyDeletion')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
