-- title: Administrator policy granted to an IAM user, role or group
-- description: A successful AttachUserPolicy, AttachRolePolicy or AttachGroupPolicy of a policy named AdministratorAccess, or an inline Put*Policy whose document allows Action "*": the target identity now has full control of the account, a classic persistence and escalation step. One finding per principal, account, region and target.
-- severity: medium
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1098.003 Account Manipulation: Additional Cloud Roles
-- catalogue: admin-policy-to-user, admin-policy-to-role, admin-policy-to-group
-- stratus: aws.persistence.iam-create-admin-user, aws.persistence.iam-create-backdoor-role
-- panther: AWS.IAM.AttachAdminUserPolicy, AWS.IAM.AttachAdminRolePolicy, AWS.IAM.PolicyModified
-- false_positives: Break-glass and bootstrap roles created by account-vending or infrastructure-as-code pipelines; allow-list those principals and targets.
-- tags: iam, administratoraccess, privilege-escalation, persistence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       CASE WHEN eventname LIKE '%UserPolicy' THEN 'user'
            WHEN eventname LIKE '%RolePolicy' THEN 'role'
            ELSE 'group' END AS target_type,
       coalesce(requestparameters->>'userName', requestparameters->>'roleName', requestparameters->>'groupName') AS target,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'policyArn', requestparameters->>'policyName'))), ', ') AS policies
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND errorcode IS NULL
  AND (
        (eventname IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy')
         AND requestparameters->>'policyArn' LIKE '%:policy/AdministratorAccess')
     OR (eventname IN ('PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy')
         AND regexp_like(requestparameters->>'policyDocument', '"Effect"\s*:\s*"Allow"')
         AND regexp_like(requestparameters->>'policyDocument', '"Action"\s*:\s*(\[[^\]]*)?"\*"'))
      )
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8, 9
ORDER BY first_seen
