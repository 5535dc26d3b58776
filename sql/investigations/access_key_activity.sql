-- title: Everything an access key did
-- description: Every event signed with one access key (AKIA… long-term or ASIA… session key), oldest first, with who used it, from where and what failed.
-- tags: identity, credentials, timeline
-- param: access_key string required  The access key id
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       eventsource,
       eventname,
       awsregion,
       sourceipaddress,
       useragent,
       useridentity.arn AS principal,
       errorcode,
       requestparameters,
       eventid
FROM cloudtrail
WHERE useridentity.accesskeyid = $access_key
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
