-- title: Manual RDS snapshot created
-- description: A successful CreateDBSnapshot or CreateDBClusterSnapshot: a manual snapshot is the first step of copying, sharing or restoring a database elsewhere, and is kept after the instance is gone. Snapshots the response marks as automated or awsbackup are left out. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0009 Collection
-- attack_technique: T1578.001 Modify Cloud Compute Infrastructure: Create Snapshot
-- catalogue: rds-manual-snapshot
-- stratus: -
-- panther: AWS.RDS.ManualSnapshotCreated
-- false_positives: Pre-change snapshots taken by DBAs and backup tooling; allow-list those principals.
-- tags: rds, snapshot, collection
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dBSnapshotIdentifier', requestparameters->>'dBClusterSnapshotIdentifier', ''))), ', ') AS snapshots,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dBInstanceIdentifier', requestparameters->>'dBClusterIdentifier', ''))), ', ') AS databases
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('CreateDBSnapshot', 'CreateDBClusterSnapshot')
  AND coalesce(responseelements->>'snapshotType', 'manual') NOT IN ('automated', 'awsbackup')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
