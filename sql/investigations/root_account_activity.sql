-- title: Root account activity
-- description: Every event of the account root user, oldest first: console sign-ins (with their result and MFA), reads, changes and failures, with the source address, client, MFA status of the session and access key. Calls AWS services made on behalf of root (invokedBy set) are left out unless asked for. Root should almost never be used, so every row deserves an owner.
-- tags: identity, root, privilege-escalation, timeline
-- param: include_service_calls bool false  Also list calls an AWS service made for root
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       recipientaccountid AS account,
       eventsource,
       eventname,
       CASE WHEN eventname = 'ConsoleLogin' THEN responseelements->>'ConsoleLogin' END AS signin_result,
       CASE WHEN additionaleventdata->>'MFAUsed' = 'Yes' OR useridentity.sessioncontext.attributes.mfaauthenticated THEN 'yes'
            WHEN additionaleventdata->>'MFAUsed' = 'No' OR NOT useridentity.sessioncontext.attributes.mfaauthenticated THEN 'no'
       END AS mfa,
       sourceipaddress,
       useragent,
       useridentity.accesskeyid AS access_key,
       sessioncredentialfromconsole AS console_session,
       useridentity.invokedby AS invoked_by,
       readonly,
       errorcode,
       errormessage,
       eventid
FROM cloudtrail
WHERE useridentity.type = 'Root'
  AND (useridentity.invokedby IS NULL OR $include_service_calls)
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
