-- title: Credentials issued and their first use
-- description: New credentials, oldest first: access keys created (for oneself or for another user), console passwords created or reset (login profiles), federation and session tokens, service-specific credentials, SSH keys and signing certificates uploaded, MFA devices created, enabled or removed, IAM Roles Anywhere trust anchors and profiles, EC2 key pairs. For each: who issued it, for whom, from where, and whether the new access key (or, for a password, a console sign-in of that user) was used afterwards: how often, from which addresses, and when first. A key created for another user and used minutes later from a new address is persistence.
-- tags: credentials, persistence, identity, iam, sts
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
WITH issued AS (
    SELECT eventid,
           eventtime AS issued_at,
           eventname,
           recipientaccountid AS account,
           coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS issued_by,
           sourceipaddress,
           errorcode,
           coalesce(requestparameters->>'userName', requestparameters->>'name', requestparameters->>'keyName',
                    requestparameters->>'virtualMFADeviceName', requestparameters->>'serviceName',
                    principal_name(useridentity.arn)) AS issued_to,
           coalesce(json_extract_scalar(responseelements, '$.accessKey.accessKeyId'),
                    json_extract_scalar(responseelements, '$.credentials.accessKeyId')) AS new_key
    FROM cloudtrail
    WHERE eventname IN ('CreateAccessKey', 'UpdateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile',
                        'GetFederationToken', 'GetSessionToken', 'CreateServiceSpecificCredential',
                        'ResetServiceSpecificCredential', 'UploadSSHPublicKey', 'UploadSigningCertificate',
                        'CreateVirtualMFADevice', 'EnableMFADevice', 'DeactivateMFADevice', 'DeleteVirtualMFADevice',
                        'CreateTrustAnchor', 'CreateProfile', 'CreateKeyPair', 'ImportKeyPair')
      AND eventsource IN ('iam.amazonaws.com', 'sts.amazonaws.com', 'rolesanywhere.amazonaws.com', 'ec2.amazonaws.com')
      AND eventtime >= $since
      AND eventtime <= $until
),
key_use AS (
    SELECT c.useridentity.accesskeyid AS new_key,
           count(*) AS uses,
           min(c.eventtime) AS first_use,
           array_to_string(array_slice(array_sort(array_agg(DISTINCT c.sourceipaddress)), 1, 10), ', ') AS used_from
    FROM cloudtrail c
    WHERE c.useridentity.accesskeyid IN (SELECT new_key FROM issued WHERE new_key IS NOT NULL)
      AND c.eventtime >= $since
    GROUP BY c.useridentity.accesskeyid
),
logins AS (
    SELECT eventtime,
           sourceipaddress,
           recipientaccountid AS account,
           coalesce(principal_name(useridentity.arn), useridentity.username) AS signin_user
    FROM cloudtrail
    WHERE eventname = 'ConsoleLogin'
      AND eventtime >= $since
),
login_use AS (
    SELECT i.eventid,
           count(*) AS uses,
           min(g.eventtime) AS first_use,
           array_to_string(array_slice(array_sort(array_agg(DISTINCT g.sourceipaddress)), 1, 10), ', ') AS used_from
    FROM issued i
    JOIN logins g
      ON g.account = i.account
     AND g.signin_user = i.issued_to
     AND g.eventtime >= i.issued_at
    WHERE i.eventname IN ('CreateLoginProfile', 'UpdateLoginProfile')
    GROUP BY i.eventid
)
SELECT i.issued_at,
       i.eventname,
       i.issued_by,
       i.issued_to,
       i.sourceipaddress,
       i.new_key,
       i.errorcode,
       coalesce(k.uses, l.uses, 0) AS later_uses,
       coalesce(k.first_use, l.first_use) AS first_use,
       date_diff('second', i.issued_at, coalesce(k.first_use, l.first_use)) AS seconds_to_first_use,
       coalesce(k.used_from, l.used_from) AS used_from,
       i.account,
       i.eventid
FROM issued i
LEFT JOIN key_use k ON k.new_key = i.new_key
LEFT JOIN login_use l ON l.eventid = i.eventid
ORDER BY i.issued_at, i.eventid
LIMIT $limit
