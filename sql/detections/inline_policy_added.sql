-- title: Inline policy put on an IAM user, role or group
-- description: A successful PutUserPolicy, PutRolePolicy or PutGroupPolicy: inline policies grant permissions that do not show up as managed-policy attachments and are easy to miss in reviews, a common way to add privileges or persistence. One finding per principal, account, region and target identity.
-- severity: low
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1098.003 Account Manipulation: Additional Cloud Roles
-- catalogue: inline-policy-added
-- stratus: -
-- panther: AWS.IAM.PolicyModified
-- false_positives: Infrastructure-as-code and service-linked tooling write inline policies routinely; allow-list deployment roles and look for interactive users.
-- tags: iam, inline-policy, privilege-escalation, persistence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       CASE WHEN eventname = 'PutUserPolicy' THEN 'user' WHEN eventname = 'PutRolePolicy' THEN 'role' ELSE 'group' END AS target_type,
       coalesce(requestparameters->>'userName', requestparameters->>'roleName', requestparameters->>'groupName') AS target,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'policyName', ''))), ', ') AS policies,
       count(*) AS changes
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname IN ('PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, CASE WHEN eventname = 'PutUserPolicy' THEN 'user' WHEN eventname = 'PutRolePolicy' THEN 'role' ELSE 'group' END, coalesce(requestparameters->>'userName', requestparameters->>'roleName', requestparameters->>'groupName')
ORDER BY first_seen
