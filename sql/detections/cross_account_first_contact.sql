-- title: First calls from another AWS account
-- description: Successful calls into an account by a principal of another AWS account (userIdentity.accountId differs from recipientAccountId: a role of this account assumed from elsewhere, or a resource policy used across accounts) when that account made no call into this one in the lookback period before. First contact from a new account is how lateral movement between accounts and trusts that grant too much show up; established relationships (a tooling account deploying, an organization's management account) repeat and stay quiet. One finding per calling account, receiving account and first contact; the evidence is that contact's first hour.
-- severity: low
-- attack_tactic: TA0008 Lateral Movement
-- attack_technique: T1078.004 Cloud Accounts
-- catalogue: cross-account-activity
-- stratus: -
-- per_event: lookback=0s
-- false_positives: A new account joining the organization, a new vendor integration or a new cross-account pipeline: one finding at its first contact. List accounts that need no watching in known_accounts. At the start of the data every relationship is new, so contacts in the first learning period only build history.
-- tags: sts, cross-account, lateral-movement, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 30d  How long a silence makes an account's next call a first contact again
-- param: learning interval 7d  Learning period at the start of the data (never longer than lookback): contacts first seen in it only build history
-- param: known_accounts string -  Comma-separated account ids to leave out, such as the management and tooling accounts (- for none)
WITH calls AS (
    SELECT eventid, eventtime, eventsource, eventname, sourceipaddress, awsregion,
           useridentity.accountid AS caller_account, recipientaccountid AS account,
           coalesce(useridentity.arn, useridentity.principalid, useridentity.type) AS principal
    FROM cloudtrail
    WHERE errorcode IS NULL
      AND eventtime >= $history_from
      AND useridentity.accountid IS NOT NULL
      AND recipientaccountid IS NOT NULL
      AND useridentity.accountid <> recipientaccountid
      AND regexp_like(useridentity.accountid, '^[0-9]{12}$')
      AND coalesce(useridentity.type, '') NOT IN ('AWSService')
      AND useridentity.invokedby IS NULL
      AND NOT array_has(string_to_array($known_accounts, ','), useridentity.accountid)
      AND eventtime <= $until
),
gaps AS (
    SELECT *,
           lag(eventtime) OVER (PARTITION BY caller_account, account ORDER BY eventtime, eventid) AS previous
    FROM calls
),
contacts AS (
    SELECT caller_account, account, eventtime AS contact
    FROM gaps
    WHERE (previous IS NULL OR eventtime - $lookback > previous)
      AND eventtime >= $since
      AND (eventtime - $learning >= (SELECT min(eventtime) FROM cloudtrail)
           OR eventtime - $lookback >= (SELECT min(eventtime) FROM cloudtrail))
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       min(c.principal) AS principal,
       min(c.sourceipaddress) AS sourceip,
       k.account,
       min(c.awsregion) AS region,
       k.caller_account,
       array_to_string(array_sort(array_agg(DISTINCT c.eventname)), ', ') AS actions,
       count(*) AS calls
FROM contacts k
JOIN calls c
  ON c.caller_account = k.caller_account
 AND c.account = k.account
 AND c.eventtime >= k.contact
 AND c.eventtime < k.contact + INTERVAL '1 hour'
GROUP BY k.caller_account, k.account, k.contact
ORDER BY first_seen
