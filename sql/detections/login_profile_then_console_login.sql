-- title: Login profile created or reset, then console login as that user
-- description: A successful CreateLoginProfile or UpdateLoginProfile sets a console password for an IAM user and a successful ConsoleLogin as that user follows within the window: the classic account-takeover-by-password-reset sequence, worse when the login comes from the same IP as the reset. One finding per changing principal, account and target user.
-- severity: high
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.001 Account Manipulation: Additional Cloud Credentials
-- catalogue: login-profile-then-console-login
-- stratus: -
-- panther: AWS.User.Takeover.Via.Password.Reset.Group
-- false_positives: Administrators creating a console password for a new colleague who then signs in; onboarding from a helpdesk IP. A same-IP login by a different person is the strong signal.
-- tags: iam, login-profile, console, account-takeover, sequence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: window interval 6h  Longest gap between the password change and the console login
WITH changed AS (
    SELECT eventid, eventtime, eventname,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           sourceipaddress, recipientaccountid, awsregion,
           requestparameters->>'userName' AS target_user
    FROM cloudtrail
    WHERE eventsource = 'iam.amazonaws.com'
      AND eventname IN ('CreateLoginProfile', 'UpdateLoginProfile')
      AND errorcode IS NULL
      AND eventtime >= $since
      AND eventtime <= $until
),
logins AS (
    SELECT eventid, eventtime, sourceipaddress, recipientaccountid, useridentity.username AS login_user
    FROM cloudtrail
    WHERE eventsource = 'signin.amazonaws.com'
      AND eventname = 'ConsoleLogin'
      AND useridentity.type = 'IAMUser'
      AND responseelements->>'ConsoleLogin' = 'Success'
      AND eventtime >= $since
),
pairs AS (
    SELECT c.principal, c.recipientaccountid AS account, c.awsregion AS region, c.target_user,
           c.eventid AS change_id, c.eventtime AS change_time, c.eventname AS change_action, c.sourceipaddress AS change_ip,
           l.eventid AS login_id, l.eventtime AS login_time, l.sourceipaddress AS login_ip,
           coalesce(c.sourceipaddress, '') = coalesce(l.sourceipaddress, '') AS same_ip
    FROM changed c
    JOIN logins l
      ON l.login_user = c.target_user
     AND l.recipientaccountid = c.recipientaccountid
     AND l.eventtime > c.eventtime
     AND l.eventtime <= c.eventtime + $window
),
steps AS (
    SELECT principal, account, region, target_user, change_id AS eventid, change_time AS eventtime,
           change_action AS action, change_ip AS ip, false AS same_ip
    FROM pairs
    UNION ALL
    SELECT principal, account, region, target_user, login_id, login_time, 'ConsoleLogin', login_ip, same_ip
    FROM pairs
),
distinct_steps AS (
    SELECT principal, account, region, target_user, eventid,
           min(eventtime) AS eventtime, min(action) AS action, min(ip) AS ip, bool_or(same_ip) AS same_ip
    FROM steps
    GROUP BY principal, account, region, target_user, eventid
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(ip) FILTER (WHERE action <> 'ConsoleLogin') AS sourceip,
       account,
       region,
       target_user,
       array_to_string(array_sort(array_agg(DISTINCT action)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(ip, ''))) FILTER (WHERE action = 'ConsoleLogin'), ', ') AS login_ips,
       bool_or(same_ip) AS login_from_change_ip
FROM distinct_steps
GROUP BY principal, account, region, target_user
ORDER BY first_seen
