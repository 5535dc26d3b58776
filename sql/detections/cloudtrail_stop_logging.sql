-- title: CloudTrail logging stopped or trail deleted
-- description: A trail was stopped (StopLogging) or deleted (DeleteTrail) and the call succeeded: the account's audit log goes dark. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudtrail-stop-logging, cloudtrail-delete-trail
-- stratus: aws.defense-evasion.cloudtrail-stop, aws.defense-evasion.cloudtrail-delete
-- panther: AWS.CloudTrail.Stopped, AWS.CloudTrail.SecurityConfigurationChange
-- false_positives: Trail migrations and teardown of test accounts by infrastructure pipelines; allow-list those principals.
-- tags: cloudtrail, logging, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'name', ''))), ', ') AS trails
FROM cloudtrail
WHERE eventsource = 'cloudtrail.amazonaws.com'
  AND eventname IN ('StopLogging', 'DeleteTrail')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
