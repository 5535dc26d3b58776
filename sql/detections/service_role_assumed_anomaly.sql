-- title: Service role assumed by a user soon after a service assumed it
-- description: A role that an AWS service assumed (userIdentity type AWSService, e.g. lambda or ec2) is then assumed successfully within the window by an IAM user or another role session, the first user or session to assume that role since the lookback before the service did: service roles are meant for their service alone, and a human or foreign session taking one over suggests a trust policy widened for abuse or a stolen role. One finding per calling principal, account, region and role.
-- severity: low
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1548 Abuse Elevation Control Mechanism
-- catalogue: service-role-assumed-anomaly
-- stratus: -
-- panther: AWS.Potentially.Stolen.Service.Role.Scheduled
-- false_positives: Developers debugging a Lambda or ECS task by assuming its role; roles trusted by both a service and a deployment pipeline (only the first user or role session after a quiet lookback is reported, so a shared role reports at most once per lookback; the first one in the data, before any history, still reports). Allow-list such roles.
-- tags: sts, assume-role, service-role, privilege-escalation, sequence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: window interval 24h  Longest gap between the service's assumption and the user's
-- param: lookback interval 7d  A role that users or role sessions assumed within this long before the service did (or since) is shared, not a service-only role
WITH assumptions AS (
    SELECT eventid, eventtime, useridentity.type AS caller_type,
           coalesce(useridentity.arn, useridentity.invokedby, useridentity.type) AS principal,
           useridentity.invokedby AS service,
           sourceipaddress, recipientaccountid, awsregion,
           requestparameters->>'roleArn' AS role_arn
    FROM cloudtrail
    WHERE eventsource = 'sts.amazonaws.com'
      AND eventname = 'AssumeRole'
      AND errorcode IS NULL
      AND requestparameters->>'roleArn' IS NOT NULL
      AND eventtime >= $history_from
),
-- Each assumption by an IAM user or role session, with the time of the previous one of
-- the same role by any user or role session.
human_assumptions AS (
    SELECT *, lag(eventtime) OVER (PARTITION BY role_arn ORDER BY eventtime, eventid) AS previous_human_time
    FROM assumptions
    WHERE caller_type IN ('IAMUser', 'AssumedRole')
),
-- The only ones that can pass the lookback test in pairs: the service assumed the role
-- before this one, so a previous one less than the lookback before this one is less than
-- the lookback before the service's too (or after it). Kept to these before the join, so
-- that a busy role does not pair every service assumption with every user or role
-- session assumption in the window after it.
quiet_human_assumptions AS (
    SELECT *
    FROM human_assumptions
    WHERE eventtime <= $until
      AND (previous_human_time IS NULL OR previous_human_time < eventtime - $lookback)
),
pairs AS (
    SELECT u.principal, u.recipientaccountid AS account, u.awsregion AS region, u.role_arn,
           s.eventid AS service_id, s.eventtime AS service_time, coalesce(s.service, s.sourceipaddress) AS service,
           u.eventid AS user_id, u.eventtime AS user_time, u.sourceipaddress AS user_ip
    FROM assumptions s
    JOIN quiet_human_assumptions u
      ON u.role_arn = s.role_arn
     AND u.eventtime > s.eventtime
     AND u.eventtime <= s.eventtime + $window
    WHERE s.caller_type = 'AWSService'
      AND u.eventtime >= $since
      AND u.eventtime <= $until
      -- Only the first user or role session to take the role after it was the service's
      -- alone: a role that users or role sessions assumed in the lookback before (or
      -- between the service's assumption and this one) is shared by design (a deployment
      -- or debugging role a service also trusts); new callers of shared roles are
      -- assume_role_by_user_rare's business.
      AND (u.previous_human_time IS NULL OR u.previous_human_time < s.eventtime - $lookback)
),
-- Both events of each pair, from one read of the pairs.
steps AS (
    SELECT p.principal, p.account, p.region, p.role_arn,
           CASE WHEN k.step = 1 THEN p.service_id ELSE p.user_id END AS eventid,
           CASE WHEN k.step = 1 THEN p.service_time ELSE p.user_time END AS eventtime,
           p.service,
           CASE WHEN k.step = 1 THEN CAST(NULL AS VARCHAR) ELSE p.user_ip END AS ip
    FROM pairs p
    CROSS JOIN (VALUES (1), (2)) AS k(step)
),
distinct_steps AS (
    SELECT principal, account, region, role_arn, eventid,
           min(eventtime) AS eventtime, min(service) AS service, min(ip) AS ip
    FROM steps
    GROUP BY principal, account, region, role_arn, eventid
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(ip) AS sourceip,
       account,
       region,
       role_arn,
       array_to_string(array_sort(array_agg(DISTINCT service)), ', ') AS services
FROM distinct_steps
GROUP BY principal, account, region, role_arn
ORDER BY first_seen
