-- title: Role assumed by a user or role for the first time
-- description: A successful sts:AssumeRole by an IAM user or assumed-role session for a role it did not assume in the lookback period before: new caller-to-role pairs mark lateral movement and privilege escalation with stolen credentials, while established pairs repeat daily. One finding per caller, account, region and role.
-- severity: low
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1548 Abuse Elevation Control Mechanism
-- catalogue: assume-role-by-user-rare
-- stratus: -
-- panther: Role.Assumed.by.User
-- per_event: lookback=0s
-- false_positives: New employees, new automation and newly created roles produce one finding each per lookback period. Every pair is new at the start of the data, so assumptions in the first learning period only build history (set learning=0s to report them); archives shorter than the learning period report nothing.
-- tags: sts, assume-role, lateral-movement, privilege-escalation, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 5d  How far back an earlier assumption of the same role by the same caller makes it familiar
-- param: learning interval 5d  Learning period at the start of the data (never longer than lookback): pairs first seen in it only build history
WITH assumptions AS (
    SELECT eventid, eventtime, coalesce(useridentity.arn, useridentity.type) AS principal,
           useridentity.type AS caller_type, sourceipaddress, recipientaccountid, awsregion,
           requestparameters->>'roleArn' AS role_arn,
           requestparameters->>'roleSessionName' AS session_name
    FROM cloudtrail
    WHERE eventsource = 'sts.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname = 'AssumeRole'
      AND useridentity.type IN ('IAMUser', 'AssumedRole')
      AND errorcode IS NULL
),
new_pairs AS (
    SELECT a.*
    FROM assumptions a
    LEFT JOIN assumptions p
      ON p.principal = a.principal
     AND p.role_arn = a.role_arn
     AND p.eventtime < a.eventtime
     AND p.eventtime >= a.eventtime - $lookback
    WHERE p.eventid IS NULL
      AND a.eventtime >= $since
      AND a.eventtime <= $until
      AND (a.eventtime - $learning >= (SELECT min(eventtime) FROM cloudtrail)
           OR a.eventtime - $lookback >= (SELECT min(eventtime) FROM cloudtrail))
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       role_arn,
       min(caller_type) AS caller_type,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(session_name, ''))), ', ') AS session_names
FROM new_pairs
GROUP BY principal, recipientaccountid, awsregion, role_arn
ORDER BY first_seen
