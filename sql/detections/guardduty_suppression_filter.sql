-- title: GuardDuty suppression filter created or set to auto-archive
-- description: A successful GuardDuty CreateFilter or UpdateFilter with action ARCHIVE: every new finding that matches the filter criteria is archived automatically and never reaches the console, EventBridge or the SIEM, so an attacker can hide the findings their own activity raises (for example by their IP, access key or finding type) without disabling the detector. One finding per principal, account, region and detector, with the filter names and criteria.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: guardduty-suppression-filter
-- stratus: -
-- false_positives: Security teams suppressing known-benign findings (scanners, pen-test ranges, expected port probes); review the criteria and allow-list the security team's principals.
-- tags: guardduty, suppression, findings, threat-detection, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'detectorId', '') AS detector,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'name', requestparameters->>'filterName'))), ', ') AS filters,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.findingCriteria'))), ' | ') AS criteria
FROM cloudtrail
WHERE eventsource = 'guardduty.amazonaws.com'
  AND eventname IN ('CreateFilter', 'UpdateFilter')
  AND upper(coalesce(requestparameters->>'action', '')) = 'ARCHIVE'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
