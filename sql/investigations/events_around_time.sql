-- title: Everything around a moment
-- description: Every event within `span` before and after a moment (an alert, a suspicious call), oldest first, with the seconds from that moment, who, from where, what and whether it failed. Narrow it to one principal (ARN, user, role or session name) or one source address; * (the default) keeps all. The pivot for "what else happened then?".
-- tags: timeline, pivot, triage
-- param: at timestamp required  The moment to look around (2026-03-01T10:00:00Z)
-- param: span interval 15m  How far before and after it to look
-- param: principal string *  ARN, user, role or session name, or * for everyone
-- param: ip string *  One source address, or * for every address
-- param: limit int 1000  Most rows returned
-- Each placeholder is cast once here, so it has one type wherever it is compared.
WITH wanted AS (
    SELECT CAST($at AS TIMESTAMP) AS at,
           CAST($span AS INTERVAL) AS span,
           CAST($principal AS VARCHAR) AS principal,
           CAST($ip AS VARCHAR) AS ip
)
SELECT c.eventtime,
       date_diff('second', w.at, c.eventtime) AS seconds_from_moment,
       coalesce(c.useridentity.arn, c.useridentity.invokedby, c.useridentity.principalid, c.useridentity.type) AS principal,
       c.sourceipaddress,
       useragent_family(c.useragent) AS agent,
       c.awsregion,
       c.eventsource,
       c.eventname,
       c.readonly,
       c.errorcode,
       c.useridentity.accesskeyid AS access_key,
       c.requestparameters,
       c.eventid
FROM cloudtrail c, wanted w
WHERE c.eventtime >= w.at - w.span
  AND c.eventtime <= w.at + w.span
  AND (w.principal = '*'
       OR c.useridentity.arn = w.principal
       OR c.useridentity.username = w.principal
       OR c.useridentity.sessioncontext.sessionissuer.arn = w.principal
       OR c.useridentity.sessioncontext.sessionissuer.username = w.principal
       OR session_name(c.useridentity.arn) = w.principal)
  AND (w.ip = '*' OR c.sourceipaddress = w.ip)
ORDER BY c.eventtime, c.eventid
LIMIT $limit
