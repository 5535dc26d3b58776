-- title: CloudWatch alarms deleted
-- description: One or more CloudWatch alarms were deleted (monitoring DeleteAlarms) and the call succeeded: alarms on root use, trail changes or billing stop notifying, so later activity goes unnoticed. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudwatch-alarm-deleted
-- stratus: -
-- false_positives: Stack teardown and alarm re-creation by infrastructure-as-code or auto-scaling; allow-list those principals.
-- tags: cloudwatch, alarms, monitoring, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract(requestparameters, '$.alarmNames'), ''))), ', ') AS alarms
FROM cloudtrail
WHERE eventsource = 'monitoring.amazonaws.com'
  AND eventname = 'DeleteAlarms'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
