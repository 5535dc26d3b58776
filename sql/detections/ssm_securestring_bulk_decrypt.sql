-- title: Many SSM SecureString parameters retrieved with decryption
-- description: One principal successfully read many SSM parameters with withDecryption=true (GetParameter, GetParameters, GetParametersByPath) within a time bucket: SecureString parameters hold passwords and API keys, and bulk decryption is credential harvesting. Parameters are counted by the names each call requests (a path counts as one). One finding per principal, account, region and window.
-- severity: medium
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1552 Unsecured Credentials
-- catalogue: ssm-securestring-bulk-decrypt
-- stratus: aws.credential-access.ssm-retrieve-securestring-parameters
-- panther: AWS.SSM.DecryptSSMParams
-- per_event: threshold=1
-- false_positives: Applications, containers and deployment tools loading their configuration at start-up; allow-list those roles or raise the threshold.
-- tags: ssm, parameter-store, securestring, credential-access, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 25  Fewest parameters requested with decryption in one window to report
-- param: window interval 1h  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS calls,
       sum(CASE WHEN eventname = 'GetParameters'
                THEN coalesce(json_array_length(json_extract(requestparameters, '$.names')), 1) ELSE 1 END) AS parameters,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions
FROM cloudtrail
WHERE eventsource = 'ssm.amazonaws.com'
  AND eventname IN ('GetParameter', 'GetParameters', 'GetParametersByPath')
  AND lower(requestparameters->>'withDecryption') = 'true'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING sum(CASE WHEN eventname = 'GetParameters'
                THEN coalesce(json_array_length(json_extract(requestparameters, '$.names')), 1) ELSE 1 END) >= $threshold
ORDER BY first_seen
