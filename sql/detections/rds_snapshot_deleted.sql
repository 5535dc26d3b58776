-- title: RDS snapshot deleted
-- description: A successful DeleteDBSnapshot or DeleteDBClusterSnapshot: backups are removed, which inhibits recovery after a destructive attack or hides a snapshot used for exfiltration. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0040 Impact
-- attack_technique: T1490 Inhibit System Recovery
-- catalogue: rds-snapshot-deleted
-- stratus: -
-- panther: AWS.RDS.SnapshotDeleted
-- false_positives: Snapshot-retention scripts and backup tooling pruning old manual snapshots; allow-list those principals.
-- tags: rds, snapshot, deletion, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS deletions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dBSnapshotIdentifier', requestparameters->>'dBClusterSnapshotIdentifier', ''))), ', ') AS snapshots
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('DeleteDBSnapshot', 'DeleteDBClusterSnapshot')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
