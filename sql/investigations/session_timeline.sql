-- title: Timeline of one role session
-- description: Everything one IAM role session (or federated / console session) did, oldest first, with the seconds since its first event, the MFA flag and creation time of the session, where each call came from and what failed. Matches the session's ARN (arn:aws:sts::…:assumed-role/Role/name), its principal id (AROA…:name), one of its temporary access keys (ASIA…) or its session name.
-- tags: identity, session, timeline
-- param: session string required  Session ARN, principal id (AROA…:name), ASIA… access key or session name
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
WITH events AS (
    SELECT *
    FROM cloudtrail
    WHERE (useridentity.arn = $session
           OR useridentity.principalid = $session
           OR useridentity.accesskeyid = $session
           OR session_name(useridentity.arn) = $session)
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT eventtime,
       date_diff('second', min(eventtime) OVER (PARTITION BY useridentity.arn), eventtime) AS seconds_into_session,
       useridentity.arn AS session,
       useridentity.sessioncontext.sessionissuer.arn AS role,
       useridentity.sessioncontext.attributes.creationdate AS session_created,
       useridentity.sessioncontext.attributes.mfaauthenticated AS mfa,
       useridentity.accesskeyid AS access_key,
       sourceipaddress,
       useragent_family(useragent) AS agent,
       awsregion,
       eventsource,
       eventname,
       readonly,
       errorcode,
       requestparameters,
       eventid
FROM events
ORDER BY eventtime, eventid
LIMIT $limit
