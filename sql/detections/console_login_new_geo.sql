-- title: Console sign-in from a network new for the principal
-- description: A successful console sign-in by a principal from a source network (IPv4 /16, IPv6 /48) it did not sign in from during the preceding lookback: CloudTrail has no geolocation, so a new network prefix stands in for a new country or city, the usual sign of stolen credentials used from elsewhere. One finding per principal, account, region and network.
-- severity: medium
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: console-login-new-geo
-- stratus: -
-- panther: Standard.SignInFromRogueState
-- per_event: lookback=0s
-- false_positives: Travel, new home or mobile ISPs, VPN exit changes; the first sign-in of every principal in the data is new by definition, so run it with a since after the start of the data and a lookback that reaches back into it.
-- tags: console, authentication, first-seen, geolocation, initial-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: lookback interval 30d  How far back an earlier sign-in from the same network suppresses the finding
WITH logins AS (
    SELECT eventid, eventtime, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           coalesce(useridentity.arn, useridentity.username, useridentity.principalid, useridentity.type) AS user_key,
           additionaleventdata->>'MFAUsed' AS mfa_used,
           CASE WHEN strpos(sourceipaddress, ':') > 0
                THEN concat(split_part(sourceipaddress, ':', 1), ':', split_part(sourceipaddress, ':', 2), ':', split_part(sourceipaddress, ':', 3), '::/48')
                ELSE concat(split_part(sourceipaddress, '.', 1), '.', split_part(sourceipaddress, '.', 2), '.0.0/16') END AS network
    FROM cloudtrail
    WHERE eventsource = 'signin.amazonaws.com'
      AND eventname = 'ConsoleLogin'
      AND responseelements->>'ConsoleLogin' = 'Success'
      AND eventtime <= $until
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       c.principal AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       c.network AS network,
       array_to_string(array_agg(DISTINCT c.sourceipaddress), ', ') AS source_ip_list,
       array_to_string(array_agg(DISTINCT coalesce(c.mfa_used, '')), ', ') AS mfa_used
FROM logins c
WHERE c.eventtime >= $since
  AND NOT EXISTS (
        SELECT 1
        FROM logins h
        WHERE h.user_key = c.user_key
          AND h.recipientaccountid = c.recipientaccountid
          AND h.network = c.network
          AND h.eventtime < c.eventtime
          AND h.eventtime >= c.eventtime - $lookback
      )
GROUP BY c.principal, c.recipientaccountid, c.awsregion, c.network
ORDER BY first_seen
