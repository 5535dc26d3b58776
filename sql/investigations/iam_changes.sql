-- title: IAM changes
-- description: Every IAM call that changed something (users, groups, roles and their trust policies, managed and inline policies, access keys, login profiles, MFA devices, instance profiles, identity providers), oldest first: who did it, with or without MFA, from where, on which user / role / group / policy, and whether it failed. Read-only IAM calls are left out. Failed attempts are kept: they show what an intruder tried.
-- tags: iam, identity, persistence, privilege-escalation, change
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
       useridentity.type AS identity_type,
       useridentity.sessioncontext.attributes.mfaauthenticated AS mfa,
       sourceipaddress,
       useragent_family(useragent) AS agent,
       eventname,
       coalesce(requestparameters->>'userName', requestparameters->>'roleName', requestparameters->>'groupName',
                requestparameters->>'instanceProfileName', requestparameters->>'serialNumber',
                requestparameters->>'sAMLProviderArn', requestparameters->>'openIDConnectProviderArn',
                requestparameters->>'name', requestparameters->>'policyName',
                principal_name(requestparameters->>'policyArn')) AS target,
       coalesce(requestparameters->>'policyArn', requestparameters->>'policyName') AS policy,
       coalesce(json_extract_scalar(responseelements, '$.accessKey.accessKeyId'),
                requestparameters->>'accessKeyId') AS access_key_changed,
       errorcode,
       recipientaccountid AS account,
       eventid
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND NOT coalesce(readonly, regexp_like(eventname, '^(Get|List|Generate|Simulate)'))
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
