-- title: RDS instance or cluster deleted
-- description: A successful DeleteDBInstance, DeleteDBCluster or DeleteGlobalCluster: the database is destroyed, and with skipFinalSnapshot=true (skip_final_snapshot) no final backup is kept. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0040 Impact
-- attack_technique: T1485 Data Destruction
-- catalogue: rds-instance-deleted
-- stratus: -
-- panther: AWS.RDS.InstanceDeletion
-- false_positives: Decommissioning and test-environment teardown by pipelines; allow-list those principals, and triage deletions without a final snapshot first.
-- tags: rds, deletion, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dBInstanceIdentifier', requestparameters->>'dBClusterIdentifier',
                                                   requestparameters->>'globalClusterIdentifier', ''))), ', ') AS databases,
       bool_or(coalesce(lower(requestparameters->>'skipFinalSnapshot'), '') = 'true') AS skip_final_snapshot
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('DeleteDBInstance', 'DeleteDBCluster', 'DeleteGlobalCluster')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
