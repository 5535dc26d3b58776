-- title: IAM managed policy deleted by a principal new to policy deletion
-- description: A successful iam:DeletePolicy by a principal that deleted no managed policy in the lookback period before: removing a customer-managed policy can strip a permissions boundary or deny guardrail, and a first-time deleter is the unusual case. One finding per principal, account and region.
-- severity: info
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562 Impair Defenses
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: managed-policy-deleted
-- stratus: -
-- panther: AWS.IAM.PolicyModified
-- per_event: lookback=0s
-- false_positives: New automation or a new administrator cleaning up policies; the first deletion by each shows up once per lookback period.
-- tags: iam, policy, defense-evasion, first-seen, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 7d  How far back an earlier deletion by the same principal makes a deletion familiar
WITH deletions AS (
    SELECT eventid, eventtime, coalesce(useridentity.arn, useridentity.type) AS principal,
           sourceipaddress, recipientaccountid, awsregion, requestparameters->>'policyArn' AS policy_arn
    FROM cloudtrail
    WHERE eventsource = 'iam.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname = 'DeletePolicy'
      AND errorcode IS NULL
),
new_deletions AS (
    SELECT d.*
    FROM deletions d
    LEFT JOIN deletions p
      ON p.principal = d.principal
     AND p.recipientaccountid = d.recipientaccountid
     AND p.eventtime < d.eventtime
     AND p.eventtime >= d.eventtime - $lookback
    WHERE p.eventid IS NULL
      AND d.eventtime >= $since
      AND d.eventtime <= $until
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(policy_arn, ''))), ', ') AS policies
FROM new_deletions
GROUP BY principal, recipientaccountid, awsregion
ORDER BY first_seen
