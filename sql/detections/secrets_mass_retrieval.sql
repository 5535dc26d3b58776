-- title: Many Secrets Manager secrets retrieved by one principal
-- description: One principal successfully read the values (GetSecretValue) of many distinct secrets within a time bucket: credential harvesting with stolen access, usually right after ListSecrets. One finding per principal, account, region and window.
-- severity: medium
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1555.006 Credentials from Password Stores: Cloud Secrets Management Stores
-- catalogue: secrets-mass-retrieval
-- stratus: aws.credential-access.secretsmanager-retrieve-secrets
-- panther: AWS.SecretsManager.RetrieveSecrets
-- per_event: threshold=1
-- false_positives: Applications and deployment tools that load all their secrets at start-up; allow-list those roles or raise the threshold.
-- tags: secretsmanager, secrets, credential-access, distinct-count, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 20  Fewest distinct secrets read in one window to report
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
       count(DISTINCT requestparameters->>'secretId') AS secrets
FROM cloudtrail
WHERE eventsource = 'secretsmanager.amazonaws.com'
  AND eventname = 'GetSecretValue'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING count(DISTINCT requestparameters->>'secretId') >= $threshold
ORDER BY first_seen
