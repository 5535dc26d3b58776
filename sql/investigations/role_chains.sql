-- title: Role chaining paths
-- description: Role assumptions followed hop by hop: each AssumeRole call is linked to the one that issued the credentials it was signed with (the caller's access key = the earlier call's response credentials), giving paths like user/alice -> role/Deploy -> role/Admin with their depth, when each chain started and how long it took. By default only chains are listed: a role session assuming another role (depth 2 or more, or a first hop made by an assumed-role session whose own assumption is not in the logs). Set only_chains=false to see every assumption path, single hops included.
-- tags: identity, assume-role, role-chaining, lateral-movement, privilege-escalation
-- param: only_chains bool true  Only paths in which a role session assumed a role; false lists single hops too
-- param: since timestamp 1970-01-01  Earliest AssumeRole time
-- param: until timestamp 2100-01-01  Latest AssumeRole time
-- param: limit int 1000  Most rows returned
WITH RECURSIVE hops AS (
    SELECT eventid,
           eventtime,
           sourceipaddress,
           useridentity.type AS caller_type,
           coalesce(useridentity.arn, useridentity.invokedby, useridentity.username, useridentity.type) AS caller,
           useridentity.accesskeyid AS caller_key,
           requestparameters->>'roleArn' AS role_arn,
           json_extract_scalar(responseelements, '$.credentials.accessKeyId') AS session_key
    FROM cloudtrail
    WHERE eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity')
      AND errorcode IS NULL
      AND eventtime >= $since
      AND eventtime <= $until
),
chains AS (
    SELECT 1 AS depth,
           h.caller AS origin,
           h.caller_type AS origin_type,
           CAST(h.caller || ' -> ' || h.role_arn AS VARCHAR) AS path,
           CASE WHEN h.caller_type = 'AssumedRole' THEN session_issuer(h.caller) END AS source_role,
           h.role_arn AS role_arn,
           h.session_key AS session_key,
           h.eventtime AS started,
           h.eventtime AS assumed_at,
           h.sourceipaddress AS sourceipaddress,
           h.eventid AS eventid
    FROM hops h
    WHERE h.caller_key IS NULL
       OR h.caller_key NOT IN (SELECT session_key FROM hops WHERE session_key IS NOT NULL)
    UNION ALL
    SELECT c.depth + 1 AS depth,
           c.origin AS origin,
           c.origin_type AS origin_type,
           CAST(c.path || ' -> ' || h.role_arn AS VARCHAR) AS path,
           c.role_arn AS source_role,
           h.role_arn AS role_arn,
           h.session_key AS session_key,
           c.started AS started,
           h.eventtime AS assumed_at,
           h.sourceipaddress AS sourceipaddress,
           h.eventid AS eventid
    FROM chains c
    JOIN hops h ON h.caller_key = c.session_key
    WHERE c.depth < 10
)
SELECT depth,
       path,
       origin,
       origin_type,
       source_role,
       role_arn AS target_role,
       started,
       assumed_at,
       date_diff('second', started, assumed_at) AS seconds_since_start,
       sourceipaddress,
       session_key,
       eventid
FROM chains
WHERE depth >= 2
   OR origin_type = 'AssumedRole'
   OR NOT $only_chains
ORDER BY started, path, assumed_at, eventid
LIMIT $limit
