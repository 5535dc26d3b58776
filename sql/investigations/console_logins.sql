-- title: Console sign-ins
-- description: Every AWS console sign-in with its result, whether MFA was used, the source address and browser, newest first. Failed sign-ins and sign-ins without MFA are the ones to read first.
-- tags: identity, authentication, console
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       coalesce(useridentity.arn, useridentity.username) AS principal,
       useridentity.type AS identity_type,
       responseelements->>'ConsoleLogin' AS result,
       additionaleventdata->>'MFAUsed' AS mfa_used,
       sourceipaddress,
       useragent,
       errormessage,
       recipientaccountid AS account,
       eventid
FROM cloudtrail
WHERE eventname = 'ConsoleLogin'
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime DESC, eventid
LIMIT $limit
