-- title: New IAM policy version allows all actions on all resources
-- description: A successful iam:CreatePolicyVersion whose document has an Allow statement with Action "*" and Resource "*": every identity the managed policy is attached to becomes an administrator, a quiet escalation that leaves attachments unchanged (worse when setAsDefault is true). One finding per principal, account, region and policy.
-- severity: medium
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1098 Account Manipulation
-- catalogue: policy-version-allow-all
-- stratus: -
-- panther: AWS.IAM.PolicyModified
-- false_positives: Administrator policies maintained as customer-managed policies by infrastructure-as-code; allow-list those pipelines and policies.
-- tags: iam, policy-version, privilege-escalation
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'policyArn' AS policy_arn,
       count(*) AS versions_created,
       bool_or(coalesce(json_extract_scalar(requestparameters, '$.setAsDefault'), '') = 'true') AS set_as_default
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreatePolicyVersion'
  AND errorcode IS NULL
  AND regexp_like(requestparameters->>'policyDocument', '"Effect"\s*:\s*"Allow"')
  AND regexp_like(requestparameters->>'policyDocument', '"Action"\s*:\s*(\[[^\]]*)?"\*"')
  AND regexp_like(requestparameters->>'policyDocument', '"Resource"\s*:\s*(\[[^\]]*)?"\*"')
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'policyArn'
ORDER BY first_seen
