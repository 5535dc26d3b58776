-- title: Repeated Secrets Manager BatchGetSecretValue calls
-- description: One principal made several successful BatchGetSecretValue calls within a time bucket: each call returns up to 20 secret values at once, often selected by a broad tag or name filter, a fast way to dump a secrets store. One finding per principal, account, region and window, with the filters used.
-- severity: info
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1555.006 Credentials from Password Stores: Cloud Secrets Management Stores
-- catalogue: secrets-batch-retrieval
-- stratus: aws.credential-access.secretsmanager-batch-retrieve-secrets
-- panther: AWS.SecretsManager.BatchRetrieveSecrets, AWS.SecretsManager.BatchRetrieveSecretsCatchAll, AWS.SecretsManager.RetrieveSecretsMultiRegion
-- per_event: threshold=1
-- false_positives: Applications that batch-load their configuration at start-up; allow-list those roles or raise the threshold.
-- tags: secretsmanager, secrets, batch, credential-access, threshold, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 5  Fewest BatchGetSecretValue calls in one window to report
-- param: window interval 1d  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract(requestparameters, '$.filters'), json_extract(requestparameters, '$.secretIdList'), ''))), ' | ') AS selectors
FROM cloudtrail
WHERE eventsource = 'secretsmanager.amazonaws.com'
  AND eventname = 'BatchGetSecretValue'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING count(*) >= $threshold
ORDER BY first_seen
