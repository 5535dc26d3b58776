-- title: Lambda function invoked by a principal new to it
-- description: A successful lambda:Invoke data event, not made by an AWS service on the caller's behalf, from a principal that did not invoke the same function in the lookback period before: direct calls by new identities, or from another account, are how stolen credentials run code and pull data through functions. One finding per caller, account, region and function, flagging cross-account callers.
-- severity: medium
-- attack_tactic: TA0002 Execution
-- attack_technique: T1648 Serverless Execution
-- catalogue: lambda-invocation-anomaly
-- stratus: -
-- per_event: lookback=0s
-- false_positives: New services and deployments that start calling a function; needs Lambda data events in the trail. The first caller seen in the data is always new.
-- tags: lambda, invoke, data-events, execution, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 7d  How far back an earlier call to the same function by the same caller makes it familiar
WITH invocations AS (
    SELECT eventid, eventtime, coalesce(useridentity.arn, useridentity.type) AS principal,
           useridentity.accountid AS caller_account, sourceipaddress, recipientaccountid, awsregion,
           regexp_replace(requestparameters->>'functionName', '^arn:aws[a-z-]*:lambda:[^:]+:[0-9]+:function:([^:]+).*$', '\1') AS function_name
    FROM cloudtrail
    WHERE eventsource = 'lambda.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname = 'Invoke'
      AND useridentity.invokedby IS NULL
      AND errorcode IS NULL
),
new_callers AS (
    SELECT i.*
    FROM invocations i
    LEFT JOIN invocations p
      ON p.principal = i.principal
     AND p.recipientaccountid = i.recipientaccountid
     AND p.function_name = i.function_name
     AND p.eventtime < i.eventtime
     AND p.eventtime >= i.eventtime - $lookback
    WHERE p.eventid IS NULL
      AND i.eventtime >= $since
      AND i.eventtime <= $until
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       function_name,
       bool_or(coalesce(caller_account, recipientaccountid) <> recipientaccountid) AS cross_account
FROM new_callers
GROUP BY principal, recipientaccountid, awsregion, function_name
ORDER BY first_seen
