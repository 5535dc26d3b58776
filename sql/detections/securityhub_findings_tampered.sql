-- title: Security Hub findings or insights modified or deleted
-- description: A successful BatchUpdateFindings, UpdateFindings, UpdateInsight or DeleteInsight: findings can be suppressed or resolved and insights removed, hiding alerts about the attacker's own activity. One finding per principal, account and region, with the workflow statuses set.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: securityhub-findings-tampered
-- stratus: -
-- panther: AWS.SecurityHub.Finding.Evasion
-- false_positives: Analysts triaging findings and SOAR or ticketing integrations that update workflow status; allow-list those principals.
-- tags: securityhub, findings, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.workflow.status'), ''))), ', ') AS workflow_statuses
FROM cloudtrail
WHERE eventsource = 'securityhub.amazonaws.com'
  AND eventname IN ('BatchUpdateFindings', 'UpdateFindings', 'UpdateInsight', 'DeleteInsight')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
