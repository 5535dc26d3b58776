-- title: CloudTrail trail reconfigured
-- description: A trail was changed with a successful UpdateTrail: a new S3 bucket, single-region scope, log file validation or KMS key turned off can quietly divert or weaken the audit log. One finding per principal, account, region and trail.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudtrail-update-trail
-- stratus: -
-- panther: AWS.CloudTrail.Created
-- false_positives: Planned trail changes by infrastructure-as-code pipelines or the security team (bucket migration, enabling validation or encryption); allow-list those principals.
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
       requestparameters->>'name' AS trail,
       count(*) AS updates,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'s3BucketName')), ', ') AS s3_buckets,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'isMultiRegionTrail')), ', ') AS multi_region,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'enableLogFileValidation')), ', ') AS log_file_validation,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'kmsKeyId')), ', ') AS kms_keys,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters)), ' | ') AS changes
FROM cloudtrail
WHERE eventsource = 'cloudtrail.amazonaws.com'
  AND eventname = 'UpdateTrail'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'name'
ORDER BY first_seen
