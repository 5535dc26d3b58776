-- title: EC2 instance configuration modified by a principal not seen doing so before
-- description: A successful change to a running instance's configuration (ModifyInstanceAttribute, ModifyInstanceMetadataOptions, Associate/ReplaceIamInstanceProfileAssociation, ModifyInstancePlacement...) by a principal that made no such change in the lookback window: attackers alter instances (IMDS, profile, user data) to evade defences or escalate. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1578 Modify Cloud Compute Infrastructure
-- catalogue: ec2-compute-modified
-- stratus: -
-- panther: AWS.Modify.Cloud.Compute.Infrastructure
-- per_event: lookback=0s
-- false_positives: New automation roles and engineers joining a team; the first run of a pipeline shows up once, then is history. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: ec2, instance, first-seen, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 14d  History searched for an earlier change by the same principal; also the learning period at the start of the data
WITH changes AS (
    SELECT eventid, eventtime, eventname, sourceipaddress, recipientaccountid, awsregion, requestparameters,
           coalesce(useridentity.arn, useridentity.type) AS principal
    FROM cloudtrail
    WHERE eventsource = 'ec2.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname IN ('ModifyInstanceAttribute', 'ModifyInstanceMetadataOptions', 'AssociateIamInstanceProfile',
                        'ReplaceIamInstanceProfileAssociation', 'DisassociateIamInstanceProfile', 'ModifyInstancePlacement',
                        'ModifyInstanceCreditSpecification', 'ModifyInstanceMaintenanceOptions', 'ModifyInstanceCapacityReservationAttributes',
                        'ModifyInstanceEventStartTime', 'ModifyInstanceMetadataDefaults')
      AND errorcode IS NULL
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       c.principal AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT c.eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(c.requestparameters->>'instanceId', json_extract_scalar(c.requestparameters, '$.AssociateIamInstanceProfileRequest.InstanceId'), ''))), ', ') AS instances
FROM changes c
WHERE c.eventtime >= $since
  AND c.eventtime <= $until
  AND c.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND NOT EXISTS (
        SELECT 1 FROM changes h
        WHERE h.principal = c.principal
          AND h.recipientaccountid = c.recipientaccountid
          AND h.eventtime < c.eventtime
          AND h.eventtime >= c.eventtime - $lookback)
GROUP BY c.principal, c.recipientaccountid, c.awsregion
ORDER BY first_seen
