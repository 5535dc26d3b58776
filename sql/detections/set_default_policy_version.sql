-- title: IAM policy default version changed
-- description: A successful iam:SetDefaultPolicyVersion: switching a managed policy to another stored version can roll it back to an older, more permissive document without writing a new policy, an escalation path that needs only iam:SetDefaultPolicyVersion. One finding per principal, account, region and policy.
-- severity: medium
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1098 Account Manipulation
-- catalogue: set-default-policy-version
-- stratus: -
-- panther: AWS.IAM.PolicyModified
-- false_positives: Policy rollbacks by administrators or infrastructure-as-code after a bad release; allow-list those pipelines.
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'versionId', ''))), ', ') AS version_ids,
       count(*) AS changes
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'SetDefaultPolicyVersion'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'policyArn'
ORDER BY first_seen
