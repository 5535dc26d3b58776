-- title: Lambda function URL created or updated without authentication
-- description: A successful CreateFunctionUrlConfig or UpdateFunctionUrlConfig with authType NONE: the function becomes callable by anyone on the internet through its URL, a ready-made backdoor or data exfiltration endpoint. One finding per principal, account, region and function.
-- severity: high
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1133 External Remote Services
-- catalogue: lambda-function-url-public
-- stratus: -
-- false_positives: Public webhooks and small public APIs deliberately built on function URLs; allow-list those functions.
-- tags: lambda, function-url, public, persistence, initial-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'functionName' AS function_name,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(responseelements, '$.functionUrl'), ''))), ', ') AS function_urls
FROM cloudtrail
WHERE eventsource = 'lambda.amazonaws.com'
  AND (eventname LIKE 'CreateFunctionUrlConfig%' OR eventname LIKE 'UpdateFunctionUrlConfig%')
  AND requestparameters->>'authType' = 'NONE'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'functionName'
ORDER BY first_seen
