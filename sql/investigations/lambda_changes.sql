-- title: Lambda function changes
-- description: Changes to Lambda functions and layers, oldest first: functions created, deleted, their code or configuration updated (layers, environment, execution role), permissions added or removed, function URLs and event source mappings created, layers published. Who did it, from where, on which function, with the layers, role, new code hash and any principal granted access (* is anyone). Backdoored functions, malicious layers or extensions and public invoke permissions are persistence.
-- tags: lambda, persistence, execution, change
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
       sourceipaddress,
       useragent_family(useragent) AS agent,
       awsregion,
       regexp_replace(eventname, '[0-9]{8}(v[0-9]+)?$', '') AS action,
       coalesce(responseelements->>'functionName', principal_name(requestparameters->>'functionName'),
                requestparameters->>'functionName', requestparameters->>'layerName') AS function_or_layer,
       coalesce(json_extract(requestparameters, '$.layers'), json_extract(responseelements, '$.layers')) AS layers,
       coalesce(requestparameters->>'role', responseelements->>'role') AS execution_role,
       responseelements->>'codeSha256' AS code_sha256,
       coalesce(requestparameters->>'principal', requestparameters->>'authType') AS granted_to,
       requestparameters->>'action' AS permission_action,
       errorcode,
       eventid
FROM cloudtrail
WHERE eventsource = 'lambda.amazonaws.com'
  AND regexp_like(eventname, '^(CreateFunction|DeleteFunction|UpdateFunctionCode|UpdateFunctionConfiguration|AddPermission|RemovePermission|CreateFunctionUrlConfig|UpdateFunctionUrlConfig|DeleteFunctionUrlConfig|CreateEventSourceMapping|UpdateEventSourceMapping|PublishLayerVersion|AddLayerVersionPermission|PutFunctionConcurrency|CreateAlias|UpdateAlias|PublishVersion)')
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
