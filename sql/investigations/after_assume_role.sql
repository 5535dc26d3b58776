-- title: What a session did after AssumeRole
-- description: Follows the temporary credentials an AssumeRole (or AssumeRoleWithSAML / AssumeRoleWithWebIdentity) call handed out: every later event signed with the access key in that call's response, grouped by the assumption and oldest first, with who assumed the role, from where, and the seconds between the assumption and each call. Pass the role's ARN, its name, or the event id of one AssumeRole event. Assumptions whose response does not record the credentials cannot be followed this way (use session_timeline).
-- tags: identity, session, assume-role, lateral-movement, timeline
-- param: role string required  Role ARN, role name, or the eventid of one AssumeRole event
-- param: since timestamp 1970-01-01  Earliest AssumeRole time
-- param: until timestamp 2100-01-01  Latest AssumeRole time (the sessions' events may run up to 36 hours later)
-- param: limit int 1000  Most rows returned
-- $role and $until are cast once here: $role is compared with several columns and $until is
-- also shifted by 36 hours, and each placeholder must have one type.
WITH wanted AS (SELECT CAST($role AS VARCHAR) AS v, CAST($until AS TIMESTAMP) AS until),
grants AS (
    SELECT c.eventid AS assume_eventid,
           c.eventtime AS assumed_at,
           coalesce(c.useridentity.arn, c.useridentity.invokedby, c.useridentity.username, c.useridentity.type) AS assumed_by,
           c.sourceipaddress AS assumed_from,
           c.requestparameters->>'roleArn' AS role_arn,
           c.requestparameters->>'roleSessionName' AS session_name,
           json_extract_scalar(c.responseelements, '$.credentials.accessKeyId') AS session_key,
           w.until + INTERVAL '36 hours' AS follow_until
    FROM cloudtrail c, wanted w
    WHERE c.eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity')
      AND c.errorcode IS NULL
      AND (c.requestparameters->>'roleArn' = w.v
           OR principal_name(c.requestparameters->>'roleArn') = w.v
           OR c.eventid = w.v)
      AND c.eventtime >= $since
      AND c.eventtime <= w.until
)
SELECT g.assumed_at,
       g.assumed_by,
       g.assumed_from,
       g.role_arn,
       g.session_name,
       g.session_key,
       e.eventtime,
       date_diff('second', g.assumed_at, e.eventtime) AS seconds_after_assume,
       e.eventsource,
       e.eventname,
       e.awsregion,
       e.sourceipaddress,
       useragent_family(e.useragent) AS agent,
       e.errorcode,
       e.requestparameters,
       e.eventid,
       g.assume_eventid
FROM grants g
JOIN cloudtrail e ON e.useridentity.accesskeyid = g.session_key
WHERE g.session_key IS NOT NULL
  AND e.eventtime >= $since
  AND e.eventtime <= g.follow_until
ORDER BY g.assumed_at, g.assume_eventid, e.eventtime, e.eventid
LIMIT $limit
