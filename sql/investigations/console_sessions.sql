-- title: Console sessions by principal and address
-- description: AWS console use per principal and source address: sign-ins, failed sign-ins, sign-ins without MFA, whether the console sessions were MFA-authenticated, how many API calls those sessions made (sessionCredentialFromConsole, or a console user agent) and how many failed, the browsers seen and the time span, newest first. A principal signing in from a new address, or without MFA, is the row to read first.
-- tags: identity, authentication, console, mfa
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
WITH console AS (
    SELECT eventtime,
           eventname,
           errorcode,
           sourceipaddress,
           useragent,
           recipientaccountid,
           coalesce(useridentity.arn, useridentity.username, useridentity.principalid, useridentity.type) AS principal,
           responseelements->>'ConsoleLogin' AS signin_result,
           additionaleventdata->>'MFAUsed' AS mfa_used,
           useridentity.sessioncontext.attributes.mfaauthenticated AS session_mfa
    FROM cloudtrail
    WHERE (eventname = 'ConsoleLogin'
           OR coalesce(sessioncredentialfromconsole, false)
           OR useragent_family(useragent) = 'console')
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT principal,
       sourceipaddress,
       sum(CASE WHEN eventname = 'ConsoleLogin' THEN 1 ELSE 0 END) AS signins,
       sum(CASE WHEN eventname = 'ConsoleLogin' AND (signin_result = 'Failure' OR errorcode IS NOT NULL) THEN 1 ELSE 0 END) AS failed_signins,
       sum(CASE WHEN eventname = 'ConsoleLogin' AND mfa_used = 'No' THEN 1 ELSE 0 END) AS signins_without_mfa,
       bool_or(session_mfa) AS any_session_mfa,
       bool_and(session_mfa) AS all_sessions_mfa,
       sum(CASE WHEN eventname <> 'ConsoleLogin' THEN 1 ELSE 0 END) AS console_calls,
       sum(CASE WHEN eventname <> 'ConsoleLogin' AND errorcode IS NOT NULL THEN 1 ELSE 0 END) AS failed_calls,
       array_to_string(array_sort(array_agg(DISTINCT useragent_family(useragent))), ', ') AS agents,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       min(recipientaccountid) AS account
FROM console
GROUP BY principal, sourceipaddress
ORDER BY last_seen DESC, principal, sourceipaddress
LIMIT $limit
