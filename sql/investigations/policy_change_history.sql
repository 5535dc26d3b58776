-- title: Change history of one policy, role, user or group
-- description: Who changed the permissions of one IAM policy, role, user or group, oldest first: policies attached, detached, put, deleted, new policy versions and default versions, trust policy updates, permissions boundaries, group membership. Each row says who did it, from which address and client, and whether the session was MFA-authenticated (empty for long-term access keys, which carry no MFA context), with the policy document when the call carried one. Pass a policy ARN or name, or a role / user / group name or ARN.
-- tags: iam, policy, persistence, privilege-escalation, change
-- param: target string required  Policy ARN or name, or role / user / group name or ARN
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
-- The placeholder is used once, so it has one type wherever it is compared. `name` is the
-- last part of an ARN (role, user, group or policy name), or the value itself.
WITH given AS (SELECT CAST($target AS VARCHAR) AS v),
wanted AS (SELECT v, coalesce(principal_name(v), v) AS name FROM given)
SELECT c.eventtime,
       coalesce(c.useridentity.arn, c.useridentity.invokedby, c.useridentity.principalid, c.useridentity.type) AS principal,
       c.useridentity.type AS identity_type,
       c.useridentity.sessioncontext.attributes.mfaauthenticated AS mfa,
       c.sourceipaddress,
       c.useragent,
       c.eventname,
       coalesce(c.requestparameters->>'roleName', c.requestparameters->>'userName', c.requestparameters->>'groupName') AS principal_changed,
       coalesce(c.requestparameters->>'policyArn', c.requestparameters->>'policyName', c.requestparameters->>'permissionsBoundary') AS policy,
       c.requestparameters->>'versionId' AS version,
       coalesce(c.requestparameters->>'policyDocument', c.requestparameters->>'assumeRolePolicyDocument') AS policy_document,
       c.errorcode,
       c.eventid
FROM cloudtrail c, wanted w
WHERE c.eventsource = 'iam.amazonaws.com'
  AND regexp_like(c.eventname, '^(Attach|Detach|Put|Delete|Create|Update|Set|AddUserTo|RemoveUserFrom).*(Policy|PolicyVersion|PermissionsBoundary|Group)$|^(UpdateAssumeRolePolicy|CreateRole|DeleteRole|CreateUser|DeleteUser)$')
  AND (c.requestparameters->>'policyArn' = w.v
       OR c.requestparameters->>'policyName' = w.name
       OR principal_name(c.requestparameters->>'policyArn') = w.name
       OR c.requestparameters->>'roleName' = w.name
       OR c.requestparameters->>'userName' = w.name
       OR c.requestparameters->>'groupName' = w.name
       OR c.requestparameters->>'permissionsBoundary' = w.v)
  AND c.eventtime >= $since
  AND c.eventtime <= $until
ORDER BY c.eventtime, c.eventid
LIMIT $limit
