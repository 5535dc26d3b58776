-- title: Bedrock model invocation logging deleted or changed
-- description: A successful DeleteModelInvocationLoggingConfiguration or PutModelInvocationLoggingConfiguration: prompts and responses sent to Bedrock models stop being logged or go to a new destination, hiding model abuse such as LLMjacking. One finding per principal, account and region, with the new log destinations.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: bedrock-invocation-logging-removed
-- stratus: -
-- panther: AWS.Bedrock.DeleteModelInvocationLoggingConfiguration
-- false_positives: Initial setup and planned changes of the logging destination by the platform team; allow-list those principals and known buckets or log groups.
-- tags: bedrock, genai, logging, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.loggingConfig.s3Config.bucketName'), ''))), ', ') AS s3_buckets,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.loggingConfig.cloudWatchConfig.logGroupName'), ''))), ', ') AS log_groups
FROM cloudtrail
WHERE eventsource = 'bedrock.amazonaws.com'
  AND eventname IN ('DeleteModelInvocationLoggingConfiguration', 'PutModelInvocationLoggingConfiguration')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
