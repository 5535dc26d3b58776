-- title: IAM role created by a principal new to creating roles
-- description: A successful iam:CreateRole by a principal that created no role in the lookback period before: a new role with a trust policy naming an outside account, a web identity provider or a broad service is a door back into the account that survives the removal of the user or key that made it. The trust policies are shown so the trusted principals can be read at once (role_trust_policy_external reports trust in other accounts at any time). One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.003 Account Manipulation: Additional Cloud Roles
-- catalogue: iam-role-created
-- stratus: -
-- panther: AWS.IAM.CreateRole
-- per_event: lookback=0s
-- false_positives: Deployment roles and administrators creating their first role after a quiet period, and new stacks; each principal shows up once per lookback period. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: iam, role, persistence, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 14d  History searched for an earlier role creation by the same principal; also the learning period at the start of the data
WITH created AS (
    SELECT eventid, eventtime, sourceipaddress, recipientaccountid, awsregion, requestparameters,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           lag(eventtime) OVER (PARTITION BY coalesce(useridentity.arn, useridentity.type), recipientaccountid
                                ORDER BY eventtime, eventid) AS previous_time
    FROM cloudtrail
    WHERE eventsource = 'iam.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname = 'CreateRole'
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
       count(*) AS roles_created,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(c.requestparameters->>'roleName', ''))), ', ') AS roles,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(c.requestparameters->>'assumeRolePolicyDocument', ''))), ' | ') AS trust_policies
FROM created c
WHERE c.eventtime >= $since
  AND c.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND (c.previous_time IS NULL OR c.previous_time < c.eventtime - $lookback)
GROUP BY c.principal, c.recipientaccountid, c.awsregion
ORDER BY first_seen
