-- title: Who assumed a role
-- description: Who assumed a role (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity), from which source address, how often, how many times it was refused, with which session names, and the first and last time. Pass a role ARN or name, or * (the default) for every role. An unknown principal or address next to the usual ones is the row to read first.
-- tags: identity, assume-role, lateral-movement
-- param: role string *  Role ARN or role name, or * for every role
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
-- The placeholder is used once, so it has one type wherever it is compared.
-- A refused call has no requestParameters: its role is read from the error message.
WITH wanted AS (SELECT CAST($role AS VARCHAR) AS v),
calls AS (
    SELECT *,
           coalesce(requestparameters->>'roleArn',
                    regexp_match(errormessage, 'on resource: (arn:[^ ]+)')[1]) AS target_role
    FROM cloudtrail
    WHERE eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity')
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT c.target_role AS role_arn,
       coalesce(c.useridentity.arn, c.useridentity.invokedby, c.useridentity.username, c.useridentity.principalid, c.useridentity.type) AS assumed_by,
       c.useridentity.type AS identity_type,
       c.sourceipaddress,
       count(*) AS assumptions,
       sum(CASE WHEN c.errorcode IS NOT NULL THEN 1 ELSE 0 END) AS failures,
       array_to_string(array_sort(array_agg(DISTINCT c.eventname)), ', ') AS apis,
       count(DISTINCT c.requestparameters->>'roleSessionName') AS session_names,
       array_to_string(array_sort(array_agg(DISTINCT useragent_family(c.useragent))), ', ') AS agents,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen
FROM calls c, wanted w
WHERE w.v = '*'
   OR c.target_role = w.v
   OR principal_name(c.target_role) = w.v
GROUP BY 1, 2, 3, 4
ORDER BY role_arn, assumptions DESC, assumed_by, c.sourceipaddress
LIMIT $limit
