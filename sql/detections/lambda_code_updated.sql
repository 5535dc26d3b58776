-- title: Lambda function code overwritten or layer added
-- description: UpdateFunctionCode replaced a function's code, or UpdateFunctionConfiguration set layers (code and extensions that run inside the function): both run attacker code with the function's role on every invocation. One finding per principal, account and region.
-- severity: info
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1648 Serverless Execution
-- catalogue: lambda-code-updated, lambda-layer-added
-- stratus: aws.persistence.lambda-overwrite-code, aws.persistence.lambda-layer-extension
-- panther: AWS.Lambda.UpdateFunctionCode, AWS.Lambda.UpdateFunctionConfiguration
-- false_positives: Deployment pipelines (CloudFormation, SAM, Serverless, Terraform) update code and resend unchanged layer lists on every deploy; allow-list their roles.
-- tags: lambda, serverless, persistence, code-change, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: service_changes bool false  Also report changes AWS services made (userIdentity AWSService or invokedBy set: CloudFormation stacks, ELB/EKS controllers) and changes by service-linked roles (AWSServiceRoleFor*)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'functionName', ''))), ', ') AS functions,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.layers'))), ', ') AS layers
FROM cloudtrail
WHERE eventsource = 'lambda.amazonaws.com'
  AND (eventname LIKE 'UpdateFunctionCode%'
       OR (eventname LIKE 'UpdateFunctionConfiguration%'
           AND json_array_length(json_extract(requestparameters, '$.layers')) > 0))
  AND errorcode IS NULL
  AND (($service_changes)
       OR (coalesce(useridentity.type, '') <> 'AWSService'
           AND useridentity.invokedby IS NULL
           AND coalesce(useridentity.arn, '') NOT LIKE '%:assumed-role/AWSServiceRoleFor%'))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
