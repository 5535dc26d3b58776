-- title: Lambda permission granted to everyone or another account
-- description: AddPermission put a statement in a function's resource policy letting '*' or another AWS account invoke or manage it: a backdoor that survives credential rotation. A grant whose record does not show the principal (truncated or redacted request parameters) is reported too, since it cannot be ruled out. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1546 Event Triggered Execution
-- catalogue: lambda-permission-backdoor
-- stratus: aws.persistence.lambda-backdoor-function
-- panther: AWS.Potential.Backdoor.Lambda
-- false_positives: Cross-account event buses or partner integrations invoking a function by design; public function URLs (principal '*' with FunctionUrlAuthType NONE) meant as webhooks.
-- tags: lambda, serverless, resource-policy, persistence, cross-account
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'functionName', ''))), ', ') AS functions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'principal', '(not in the record)'))), ', ') AS granted_to,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'action', ''))), ', ') AS granted_actions
FROM cloudtrail
WHERE eventsource = 'lambda.amazonaws.com'
  AND eventname LIKE 'AddPermission%'
  AND (requestparameters->>'principal' IS NULL
       OR requestparameters->>'principal' = '*'
       OR (regexp_like(requestparameters->>'principal', '^[0-9]{12}$')
           AND requestparameters->>'principal' <> recipientaccountid)
       OR (requestparameters->>'principal' LIKE 'arn:%'
           AND arn_account(requestparameters->>'principal') <> recipientaccountid))
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
