-- title: GuardDuty detector deleted or disabled
-- description: A GuardDuty detector was deleted (DeleteDetector) or suspended (UpdateDetector with enable=false) and the call succeeded: threat detection for the account and region stops, so later activity raises no GuardDuty findings. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: guardduty-detector-disabled
-- stratus: -
-- panther: AWS.CloudTrail.SecurityConfigurationChange
-- false_positives: Decommissioning of accounts or regions and moving GuardDuty to delegated-administrator management; allow-list those principals.
-- tags: guardduty, threat-detection, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'detectorId')), ', ') AS detectors
FROM cloudtrail
WHERE eventsource = 'guardduty.amazonaws.com'
  AND errorcode IS NULL
  AND (eventname = 'DeleteDetector'
       OR (eventname = 'UpdateDetector' AND lower(requestparameters->>'enable') = 'false'))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
