-- title: Console sign-ins for one user from several source addresses
-- description: Successful console sign-ins by the same principal from at least threshold distinct source networks (IPv4 /16, IPv6 /48; all private addresses count as one network) within one window: concurrent sessions from different places suggest a shared or stolen password or a hijacked session. One finding per principal, account, region and time window.
-- severity: medium
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: console-login-multiple-ips
-- stratus: -
-- per_event: threshold=1
-- false_positives: Users switching between office, VPN and mobile networks (rotating egress addresses within one /16, or between private addresses, are one network); raise the threshold or widen the window carefully.
-- tags: console, authentication, session, initial-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 2  Distinct source networks (IPv4 /16, IPv6 /48, private addresses as one) for one principal in one window that raise a finding
-- param: window interval 1h  Length of the counting window
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       coalesce(useridentity.username, '') AS user_name,
       count(DISTINCT sourceipaddress) AS source_ips,
       array_to_string(array_sort(array_agg(DISTINCT sourceipaddress)), ', ') AS source_ip_list,
       count(*) AS logins
FROM cloudtrail
WHERE eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND responseelements->>'ConsoleLogin' = 'Success'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), coalesce(useridentity.username, ''), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(DISTINCT CASE WHEN coalesce(is_private_ip(sourceipaddress), false) THEN 'private'
                           WHEN strpos(sourceipaddress, ':') > 0
                           THEN concat(split_part(sourceipaddress, ':', 1), ':', split_part(sourceipaddress, ':', 2), ':', split_part(sourceipaddress, ':', 3), '::/48')
                           ELSE concat(split_part(sourceipaddress, '.', 1), '.', split_part(sourceipaddress, '.', 2), '.0.0/16') END) >= $threshold
ORDER BY first_seen
