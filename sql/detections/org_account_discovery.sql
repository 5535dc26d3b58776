-- title: Organization and account discovery by a principal not seen doing so before
-- description: Successful enumeration of the organization or account (organizations List*/Describe*, iam GetAccountSummary or ListAccountAliases, account or billing console Get/PutContactInformation, GetAlternateContact) by a principal that made no such call in the lookback window: an intruder mapping the accounts reachable from a foothold. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1087.004 Account Discovery: Cloud Account
-- catalogue: org-account-discovery
-- stratus: -
-- panther: AWS.CloudTrail.Account.Discovery
-- per_event: lookback=0s
-- false_positives: New administrators, account-vending and billing tools on their first run. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: organizations, account, discovery, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 14d  History searched for an earlier discovery call by the same principal; also the learning period at the start of the data
WITH disc AS (
    SELECT eventid, eventtime, eventsource, eventname, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal
    FROM cloudtrail
    WHERE errorcode IS NULL
      AND eventtime >= $history_from
      AND ((eventsource = 'organizations.amazonaws.com' AND regexp_like(eventname, '^(List|Describe)'))
        OR (eventsource = 'iam.amazonaws.com' AND eventname IN ('GetAccountSummary', 'ListAccountAliases'))
        OR (eventsource IN ('account.amazonaws.com', 'billingconsole.amazonaws.com')
            AND eventname IN ('GetContactInformation', 'PutContactInformation', 'GetAlternateContact')))
)
SELECT array_agg(d.eventid ORDER BY d.eventtime, d.eventid) AS eventids,
       min(d.eventtime) AS first_seen,
       max(d.eventtime) AS last_seen,
       d.principal AS principal,
       min(d.sourceipaddress) AS sourceip,
       d.recipientaccountid AS account,
       d.awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT d.eventname)), ', ') AS actions
FROM disc d
WHERE d.eventtime >= $since
  AND d.eventtime <= $until
  AND d.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND NOT EXISTS (
        SELECT 1 FROM disc h
        WHERE h.principal = d.principal
          AND h.recipientaccountid = d.recipientaccountid
          AND h.eventtime < d.eventtime
          AND h.eventtime >= d.eventtime - $lookback)
GROUP BY d.principal, d.recipientaccountid, d.awsregion
ORDER BY first_seen
