-- title: GuardDuty trusted IP list or threat intel set changed
-- description: A GuardDuty IP set (trusted IP list) or threat intel set was created, updated or deleted and the call succeeded: a trusted list stops findings for the listed addresses, and removing a threat list blinds detection of known-bad ones. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: guardduty-trusted-ip-threat-list-tampered
-- stratus: -
-- panther: AWS.IPSet.Modified
-- false_positives: Security teams maintaining trusted scanner ranges or threat feeds through automation; allow-list those principals and list locations.
-- tags: guardduty, threat-detection, ipset, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(coalesce(requestparameters->>'name', requestparameters->>'ipSetId', requestparameters->>'threatIntelSetId'), ''))), ', ') AS lists,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'location', ''))), ', ') AS locations
FROM cloudtrail
WHERE eventsource = 'guardduty.amazonaws.com'
  AND eventname IN ('CreateIPSet', 'UpdateIPSet', 'DeleteIPSet', 'CreateThreatIntelSet', 'UpdateThreatIntelSet', 'DeleteThreatIntelSet')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
