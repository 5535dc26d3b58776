-- title: Everything a principal did
-- description: Every event of one principal, oldest first. Matches the caller's ARN, the role behind an assumed-role session, or the user name, so `alice`, `Admin` or a full ARN all work.
-- tags: identity, timeline
-- param: principal string required  ARN, role name, user name or session name
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       eventsource,
       eventname,
       awsregion,
       sourceipaddress,
       useragent_family(useragent) AS agent,
       useridentity.arn AS principal,
       useridentity.accesskeyid AS access_key,
       errorcode,
       eventid
FROM cloudtrail
WHERE (useridentity.arn = $principal
       OR useridentity.sessioncontext.sessionissuer.arn = $principal
       OR useridentity.username = $principal
       OR useridentity.sessioncontext.sessionissuer.username = $principal
       OR session_name(useridentity.arn) = $principal)
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
