-- title: ECS Exec into a running container by a principal new to ECS Exec
-- description: A successful ecs:ExecuteCommand by a principal that opened no ECS Exec session in the lookback period before: an interactive shell inside a running task reads its environment, secrets and task-role credentials and runs code with its network reach, and a first-time caller is the unusual case. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0002 Execution
-- attack_technique: T1609 Container Administration Command
-- catalogue: ecs-exec-into-container
-- stratus: -
-- false_positives: Engineers debugging a service for the first time, new on-call automation; each shows up once per lookback period, and the first session seen in the data is always new.
-- tags: ecs, ecs-exec, container, execution, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 10d  How far back an earlier ECS Exec session by the same principal makes it familiar
WITH execs AS (
    SELECT eventid, eventtime, coalesce(useridentity.arn, useridentity.type) AS principal,
           sourceipaddress, recipientaccountid, awsregion,
           requestparameters->>'cluster' AS cluster,
           requestparameters->>'task' AS task,
           requestparameters->>'container' AS container,
           requestparameters->>'command' AS command
    FROM cloudtrail
    WHERE eventsource = 'ecs.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname = 'ExecuteCommand'
      AND errorcode IS NULL
),
new_execs AS (
    SELECT e.*
    FROM execs e
    LEFT JOIN execs p
      ON p.principal = e.principal
     AND p.recipientaccountid = e.recipientaccountid
     AND p.eventtime < e.eventtime
     AND p.eventtime >= e.eventtime - $lookback
    WHERE p.eventid IS NULL
      AND e.eventtime >= $since
      AND e.eventtime <= $until
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(cluster, 'default'))), ', ') AS clusters,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(task, ''))), ', ') AS tasks,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(container, ''))), ', ') AS containers,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(command, ''))), ', ') AS commands
FROM new_execs
GROUP BY principal, recipientaccountid, awsregion
ORDER BY first_seen
