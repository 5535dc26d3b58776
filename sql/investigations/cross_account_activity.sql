-- title: Cross-account activity
-- description: Where the account boundary was crossed, per direction, account pair, principal and API. `inbound`: a caller from another account acted in this account (its userIdentity account is not the recipient account: cross-account roles, bucket and key policies open to others). `outbound`: a call in this account names another account id in its request (snapshots, AMIs and RDS snapshots shared, trust policies granting another account, roles assumed in another account). An account you do not know on either side is the lead.
-- tags: cross-account, identity, exfiltration, lateral-movement
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
WITH ev AS (
    SELECT eventtime,
           eventname,
           eventsource,
           sourceipaddress,
           errorcode,
           recipientaccountid AS account,
           coalesce(useridentity.accountid, arn_account(useridentity.arn)) AS caller_account,
           coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
           -- the first 12-digit account id in the request that is not the recipient account
           -- (not part of a longer token: the last group of a UUID is not an account)
           regexp_match(replace(coalesce(requestparameters, ''), coalesce(recipientaccountid, '-'), ''),
                        '(?:^|[^0-9A-Za-z_-])([0-9]{12})(?:[^0-9A-Za-z_-]|$)')[1] AS named_account
    FROM cloudtrail
    WHERE eventtime >= $since
      AND eventtime <= $until
),
crossings AS (
    SELECT *,
           CASE WHEN caller_account IS NOT NULL AND caller_account <> account THEN 'inbound' ELSE 'outbound' END AS direction,
           CASE WHEN caller_account IS NOT NULL AND caller_account <> account THEN caller_account ELSE named_account END AS other_account
    FROM ev
    WHERE (caller_account IS NOT NULL AND caller_account <> account)
       OR named_account IS NOT NULL
)
SELECT direction,
       account,
       other_account,
       principal,
       eventsource,
       eventname,
       count(*) AS events,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS errors,
       array_to_string(array_slice(array_sort(array_agg(DISTINCT sourceipaddress)), 1, 10), ', ') AS source_ips,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen
FROM crossings
GROUP BY direction, account, other_account, principal, eventsource, eventname
ORDER BY first_seen, direction, account, other_account
LIMIT $limit
