-- title: EC2 instance stopped, user data changed, then started
-- description: One principal stops an instance, rewrites its userData with ModifyInstanceAttribute and starts it again within the window, all successful: user data only runs at boot, so this stop-modify-start sequence is how an attacker gets a script executed as root on an existing instance. One finding per principal, account, region and instance.
-- severity: high
-- attack_tactic: TA0002 Execution
-- attack_technique: T1059 Command and Scripting Interpreter
-- catalogue: ec2-stop-modify-start
-- stratus: aws.execution.ec2-user-data
-- panther: AWS.EC2.StopInstance.WITH.ModifyInstanceAttributes
-- false_positives: Configuration pipelines that update bootstrap scripts on stopped instances and restart them; allow-list those principals.
-- tags: ec2, user-data, execution, sequence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: window interval 1h  Longest gap between the stop and the modification, and between the modification and the start
WITH ec2 AS (
    SELECT eventid, eventtime, eventname, coalesce(useridentity.arn, useridentity.type) AS principal,
           sourceipaddress, recipientaccountid, awsregion, requestparameters
    FROM cloudtrail
    WHERE eventsource = 'ec2.amazonaws.com'
      AND eventname IN ('StopInstances', 'ModifyInstanceAttribute', 'StartInstances')
      AND errorcode IS NULL
      AND eventtime >= $since
),
modified AS (
    SELECT eventid, eventtime, principal, sourceipaddress, recipientaccountid, awsregion,
           requestparameters->>'instanceId' AS instance_id
    FROM ec2
    WHERE eventname = 'ModifyInstanceAttribute'
      AND json_extract(requestparameters, '$.userData') IS NOT NULL
      AND requestparameters->>'instanceId' IS NOT NULL
      AND eventtime <= $until
),
chains AS (
    SELECT m.principal, m.recipientaccountid AS account, m.awsregion AS region, m.instance_id,
           s.eventid AS stop_id, s.eventtime AS stop_time, s.sourceipaddress AS stop_ip,
           m.eventid AS modify_id, m.eventtime AS modify_time,
           r.eventid AS start_id, r.eventtime AS start_time
    FROM modified m
    JOIN ec2 s
      ON s.principal = m.principal
     AND s.recipientaccountid = m.recipientaccountid
     AND s.awsregion = m.awsregion
     AND s.eventname = 'StopInstances'
     AND strpos(s.requestparameters, concat('"', m.instance_id, '"')) > 0
     AND s.eventtime <= m.eventtime
     AND s.eventtime >= m.eventtime - $window
    JOIN ec2 r
      ON r.principal = m.principal
     AND r.recipientaccountid = m.recipientaccountid
     AND r.awsregion = m.awsregion
     AND r.eventname = 'StartInstances'
     AND strpos(r.requestparameters, concat('"', m.instance_id, '"')) > 0
     AND r.eventtime >= m.eventtime
     AND r.eventtime <= m.eventtime + $window
),
steps AS (
    SELECT principal, account, region, instance_id, stop_id AS eventid, stop_time AS eventtime, stop_ip AS ip FROM chains
    UNION ALL
    SELECT principal, account, region, instance_id, modify_id, modify_time, stop_ip FROM chains
    UNION ALL
    SELECT principal, account, region, instance_id, start_id, start_time, stop_ip FROM chains
),
distinct_steps AS (
    SELECT principal, account, region, instance_id, eventid, min(eventtime) AS eventtime, min(ip) AS ip
    FROM steps
    GROUP BY principal, account, region, instance_id, eventid
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(ip) AS sourceip,
       account,
       region,
       instance_id,
       count(*) AS steps
FROM distinct_steps
GROUP BY principal, account, region, instance_id
ORDER BY first_seen
