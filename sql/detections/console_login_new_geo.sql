-- title: Console sign-in from a network new for the principal and its account
-- description: A successful console sign-in by a principal from a source network (IPv4 /16, IPv6 /48; private addresses count as one network) that neither it nor, with account_networks, anyone else in the account signed in from during the preceding lookback: CloudTrail has no geolocation, so a new network prefix stands in for a new country or city, the usual sign of stolen credentials used from elsewhere. One finding per principal, account, region and network.
-- severity: medium
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: console-login-new-geo
-- stratus: -
-- panther: Standard.SignInFromRogueState
-- per_event: lookback=0s
-- false_positives: Travel, new home or mobile ISPs, VPN exit changes (office and VPN egress networks that other people in the account use are familiar). Every network is new at the start of the data, so sign-ins in the first learning period only build history (set learning=0s to report them); archives shorter than the learning period report nothing.
-- tags: console, authentication, first-seen, geolocation, initial-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 30d  How far back an earlier sign-in from the same network suppresses the finding
-- param: account_networks bool true  Also count the account's other principals' sign-ins: a network anyone in the account signs in from (office, VPN egress) is not new
-- param: learning interval 7d  Learning period at the start of the data (never longer than lookback): sign-ins in it only build history
WITH logins AS (
    SELECT eventid, eventtime, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           coalesce(useridentity.arn, useridentity.username, useridentity.principalid, useridentity.type) AS user_key,
           additionaleventdata->>'MFAUsed' AS mfa_used,
           CASE WHEN coalesce(is_private_ip(sourceipaddress), false) THEN 'private'
                WHEN strpos(sourceipaddress, ':') > 0
                THEN concat(split_part(sourceipaddress, ':', 1), ':', split_part(sourceipaddress, ':', 2), ':', split_part(sourceipaddress, ':', 3), '::/48')
                ELSE concat(split_part(sourceipaddress, '.', 1), '.', split_part(sourceipaddress, '.', 2), '.0.0/16') END AS network
    FROM cloudtrail
    WHERE eventsource = 'signin.amazonaws.com'
      AND eventtime >= $history_from
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
       array_to_string(array_sort(array_agg(DISTINCT c.sourceipaddress)), ', ') AS source_ip_list,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(c.mfa_used, ''))), ', ') AS mfa_used
FROM logins c
WHERE c.eventtime >= $since
  AND (c.eventtime - $learning >= (SELECT min(eventtime) FROM cloudtrail)
       OR c.eventtime - $lookback >= (SELECT min(eventtime) FROM cloudtrail))
  AND NOT EXISTS (
        SELECT 1
        FROM logins h
        WHERE (h.user_key = c.user_key OR $account_networks)
          AND h.recipientaccountid = c.recipientaccountid
          AND h.network = c.network
          AND h.eventtime < c.eventtime
          AND h.eventtime >= c.eventtime - $lookback
      )
GROUP BY c.principal, c.recipientaccountid, c.awsregion, c.network
ORDER BY first_seen
