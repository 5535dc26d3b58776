-- title: AWS Config recorder stopped or deleted, or delivery channel deleted
-- description: A successful StopConfigurationRecorder, DeleteConfigurationRecorder or DeleteDeliveryChannel: AWS Config stops recording resource changes, so compliance rules and the configuration history go blind to later changes. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: config-recorder-stopped
-- stratus: -
-- panther: AWS.ConfigService.DisabledDeleted, AWS.CloudTrail.SecurityConfigurationChange
-- false_positives: Account decommissioning and Control Tower or organisation-wide Config re-deployments; allow-list those principals.
-- tags: config, logging, compliance, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(coalesce(requestparameters->>'configurationRecorderName', requestparameters->>'deliveryChannelName'), ''))), ', ') AS recorders_or_channels
FROM cloudtrail
WHERE eventsource = 'config.amazonaws.com'
  AND eventname IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
