-- title: EC2 instances launched, stopped or terminated by a principal new to it
-- description: A successful ec2 RunInstances, StopInstances or TerminateInstances by a principal that launched, stopped or terminated no instance in the lookback period before: stolen credentials launch instances for mining or as footholds, stop instances to tamper with their user data or volumes (ec2_stop_modify_start reports that whole sequence) and terminate them to destroy workloads and evidence. Starting instances again is left out. Calls an AWS service makes on a principal's behalf (Auto Scaling, EKS node groups) and dry runs are left out. One finding per principal, account and region, with the launches, stops and terminations counted and the instances named.
-- severity: low
-- attack_tactic: TA0040 Impact
-- attack_technique: T1578 Modify Cloud Compute Infrastructure
-- catalogue: ec2-stop-instances-signal
-- stratus: -
-- panther: AWS.EC2.StopInstances, AWS.Modify.Cloud.Compute.Infrastructure
-- per_event: lookback=0s
-- false_positives: Engineers and deployment roles acting on instances for the first time after a quiet period, new automation (schedulers that stop instances at night); each principal shows up once per lookback period. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: ec2, instance, impact, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 14d  History searched for an earlier launch, stop or termination by the same principal; also the learning period at the start of the data
WITH actions AS (
    SELECT eventid, eventtime, eventname, sourceipaddress, recipientaccountid, awsregion, requestparameters, responseelements,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           lag(eventtime) OVER (PARTITION BY coalesce(useridentity.arn, useridentity.type), recipientaccountid
                                ORDER BY eventtime, eventid) AS previous_time
    FROM cloudtrail
    WHERE eventsource = 'ec2.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname IN ('RunInstances', 'StopInstances', 'TerminateInstances')
      AND errorcode IS NULL
      AND useridentity.invokedby IS NULL
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
       array_to_string(array_sort(array_agg(DISTINCT c.eventname)), ', ') AS actions,
       count(*) FILTER (WHERE c.eventname = 'RunInstances') AS launches,
       count(*) FILTER (WHERE c.eventname = 'StopInstances') AS stops,
       count(*) FILTER (WHERE c.eventname = 'TerminateInstances') AS terminations,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(c.requestparameters, '$.instancesSet.items[0].instanceId'),
                                                   json_extract_scalar(c.responseelements, '$.instancesSet.items[0].instanceId'), ''))), ', ') AS instances
FROM actions c
WHERE c.eventtime >= $since
  AND c.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND (c.previous_time IS NULL OR c.previous_time < c.eventtime - $lookback)
GROUP BY c.principal, c.recipientaccountid, c.awsregion
ORDER BY first_seen
