-- title: IAM user access key used after a quiet period
-- description: A successful API call signed with an IAM user's long-term access key (AKIA...) that made no successful call in the lookback period before: a key that is new, or dormant and suddenly working again, is what leaked and stolen keys look like, whereas keys in daily use stay quiet here. One finding per access key, account and region, with the first source addresses, user agents and calls.
-- severity: info
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: access-key-auth-signal
-- stratus: -
-- panther: AWS.CloudTrail.UserAccessKeyAuth
-- per_event: lookback=0s
-- false_positives: New keys handed to new applications or people, and keys used only for periodic jobs (monthly reports, yearly rotations); each key shows up once per lookback period. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: iam, access-key, authentication, initial-access, first-seen, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 14d  History searched for an earlier call with the same key; also the learning period at the start of the data
WITH calls AS (
    SELECT eventid, eventtime, eventsource, eventname, sourceipaddress, useragent, recipientaccountid, awsregion,
           useridentity.accesskeyid AS access_key,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           lag(eventtime) OVER (PARTITION BY useridentity.accesskeyid ORDER BY eventtime, eventid) AS previous_call
    FROM cloudtrail
    WHERE useridentity.type = 'IAMUser'
      AND eventtime >= $history_from
      AND useridentity.accesskeyid LIKE 'AKIA%'
      AND errorcode IS NULL
      AND eventtime <= $until
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       min(c.principal) AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       c.access_key AS access_key,
       count(*) AS calls,
       min(c.previous_call) AS previous_call,
       array_to_string(array_sort(array_agg(DISTINCT c.sourceipaddress)), ', ') AS source_ips,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(c.useragent, ''))), ', ') AS user_agents,
       array_to_string(array_sort(array_agg(DISTINCT split_part(c.eventsource, '.', 1) || ':' || c.eventname)), ', ') AS apis
FROM calls c
WHERE c.eventtime >= $since
  AND c.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND (c.previous_call IS NULL OR c.previous_call < c.eventtime - $lookback)
GROUP BY c.access_key, c.recipientaccountid, c.awsregion
ORDER BY first_seen
