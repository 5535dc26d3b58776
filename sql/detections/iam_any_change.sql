-- title: IAM changed by a principal new to IAM changes
-- description: A successful IAM write call (Add, Attach, Change, Create, Deactivate, Delete, Detach, Enable, Put, Remove, Reset, Set, Tag, Untag, Update, Upload...) by a principal that made no IAM change in the lookback period before: users, roles, keys, policies and trust relationships are where attackers make their access permanent, and a principal that does not normally touch IAM starting to is the change worth reading, whatever the call. Calls an AWS service makes on the principal's behalf (CloudFormation stacks) count as the principal's. One finding per principal, account and region, with the calls and the policy changes among them.
-- severity: low
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098 Account Manipulation
-- catalogue: iam-any-change
-- stratus: -
-- panther: AWS.CloudTrail.IAMAnythingChanged, AWS.IAM.PolicyModified
-- per_event: lookback=0s
-- false_positives: New administrators, new deployment roles and the first stack deployment after a quiet period; each shows up once per lookback period. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: iam, persistence, privilege-escalation, first-seen, inventory
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 14d  History searched for an earlier IAM change by the same principal; also the learning period at the start of the data
WITH changes AS (
    SELECT eventid, eventtime, eventname, sourceipaddress, recipientaccountid, awsregion, requestparameters,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           lag(eventtime) OVER (PARTITION BY coalesce(useridentity.arn, useridentity.type), recipientaccountid
                                ORDER BY eventtime, eventid) AS previous_time
    FROM cloudtrail
    WHERE eventsource = 'iam.amazonaws.com'
      AND eventtime >= $history_from
      AND regexp_like(eventname, '^(Add|Attach|Change|Create|Deactivate|Delete|Detach|Enable|Put|Remove|Reset|Resync|Set|Tag|Untag|Update|Upload)')
      AND errorcode IS NULL
      AND eventtime <= $until
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       c.principal AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       min(c.previous_time) AS previous_time,
       count(*) AS changes,
       array_to_string(array_sort(array_agg(DISTINCT c.eventname)), ', ') AS actions,
       count(*) FILTER (WHERE regexp_like(c.eventname, 'Polic(y|ies)')) AS policy_changes,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(c.requestparameters->>'userName', c.requestparameters->>'roleName',
                                                   c.requestparameters->>'groupName', c.requestparameters->>'policyArn',
                                                   c.requestparameters->>'policyName', ''))), ', ') AS targets
FROM changes c
WHERE c.eventtime >= $since
  AND c.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND (c.previous_time IS NULL OR c.previous_time < c.eventtime - $lookback)
GROUP BY c.principal, c.recipientaccountid, c.awsregion
ORDER BY first_seen
