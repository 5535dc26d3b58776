-- title: EventBridge rule disabled or deleted
-- description: A successful events DisableRule or DeleteRule: EventBridge rules route GuardDuty, Security Hub and CloudTrail events to alerting and response, so disabling one silently breaks the alert pipeline. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: eventbridge-rule-disabled
-- stratus: -
-- panther: AWS.CloudTrail.SecurityConfigurationChange
-- false_positives: Deployments that replace rules, scheduled-job maintenance and stack teardown; allow-list those principals or restrict to security-routing rule names.
-- tags: eventbridge, events, alerting, defense-evasion, impact
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'name', ''))), ', ') AS rules,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'eventBusName', ''))), ', ') AS event_buses
FROM cloudtrail
WHERE eventsource = 'events.amazonaws.com'
  AND eventname IN ('DisableRule', 'DeleteRule')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
