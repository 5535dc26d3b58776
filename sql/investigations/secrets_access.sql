-- title: Secrets and parameters read
-- description: Who read secret material, per principal and API: Secrets Manager GetSecretValue and BatchGetSecretValue, SSM GetParameter / GetParameters / GetParametersByPath with decryption, and KMS Decrypt. Calls, secrets / parameters requested (a GetParameters call can name ten), distinct secrets (or parameter lists, or keys), a sample of their names, refused calls, source addresses and the time span, most requested first. One principal reading many secrets it never read before, or from an unusual address, is credential harvesting. Calls AWS services make (invokedBy set, e.g. S3 decrypting for a reader) are left out unless asked for.
-- tags: secrets, credential-access, kms, ssm, secretsmanager
-- param: include_service_calls bool false  Also count calls an AWS service made on a principal's behalf
-- param: include_kms bool true  Count KMS Decrypt calls too
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
WITH reads AS (
    SELECT eventtime,
           eventsource,
           eventname,
           errorcode,
           sourceipaddress,
           coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
           coalesce(requestparameters->>'secretId',
                    json_extract(requestparameters, '$.secretIdList'),
                    json_extract(requestparameters, '$.filters'),
                    requestparameters->>'name',
                    json_extract(requestparameters, '$.names'),
                    requestparameters->>'path',
                    requestparameters->>'keyId',
                    resources[1]['arn'],
                    json_extract(requestparameters, '$.encryptionContext')) AS secret,
           coalesce(json_array_length(json_extract(requestparameters, '$.names')),
                    json_array_length(json_extract(requestparameters, '$.secretIdList')), 1) AS items
    FROM cloudtrail
    WHERE ((eventsource = 'secretsmanager.amazonaws.com' AND eventname IN ('GetSecretValue', 'BatchGetSecretValue'))
           OR (eventsource = 'ssm.amazonaws.com'
               AND eventname IN ('GetParameter', 'GetParameters', 'GetParametersByPath', 'GetParameterHistory')
               AND requestparameters->>'withDecryption' = 'true')
           OR (eventsource = 'kms.amazonaws.com' AND eventname = 'Decrypt' AND $include_kms))
      AND (useridentity.invokedby IS NULL OR $include_service_calls)
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT principal,
       split_part(eventsource, '.', 1) AS service,
       eventname,
       count(*) AS calls,
       sum(items) AS items_requested,
       count(DISTINCT secret) AS distinct_secrets,
       array_to_string(array_slice(array_sort(array_agg(DISTINCT secret)), 1, 10), ' | ') AS sample_secrets,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS refused,
       array_to_string(array_slice(array_sort(array_agg(DISTINCT sourceipaddress)), 1, 10), ', ') AS source_ips,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen
FROM reads
GROUP BY principal, eventsource, eventname
ORDER BY items_requested DESC, distinct_secrets DESC, principal, eventname
LIMIT $limit
