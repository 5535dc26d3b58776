-- title: RDS snapshot copied to another region
-- description: A successful rds CopyDBSnapshot or CopyDBClusterSnapshot whose source snapshot lives in a different region than the copy (sourceRegion, or the region in the source snapshot ARN, differs from the event's region): a full copy of the database now sits in a region that may not be watched, ready to be shared or restored there. The event is logged in the destination region. One finding per principal, account, destination region and source region.
-- severity: medium
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: rds-snapshot-copied-cross-region
-- stratus: -
-- panther: AWS.RDS.SnapshotCopiedCrossRegion
-- false_positives: Disaster-recovery jobs (AWS Backup copy rules, scripts) that copy snapshots to a standby region on a schedule; allow-list those principals or the standby region.
-- tags: rds, snapshot, cross-region, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
WITH copies AS (
    SELECT eventid, eventtime, eventname, coalesce(useridentity.arn, useridentity.type) AS principal,
           sourceipaddress, recipientaccountid, awsregion,
           coalesce(requestparameters->>'sourceDBSnapshotIdentifier', requestparameters->>'sourceDBClusterSnapshotIdentifier') AS source_snapshot,
           coalesce(requestparameters->>'targetDBSnapshotIdentifier', requestparameters->>'targetDBClusterSnapshotIdentifier') AS target_snapshot,
           coalesce(requestparameters->>'sourceRegion',
                    CASE WHEN coalesce(requestparameters->>'sourceDBSnapshotIdentifier', requestparameters->>'sourceDBClusterSnapshotIdentifier') LIKE 'arn:%'
                         THEN split_part(coalesce(requestparameters->>'sourceDBSnapshotIdentifier', requestparameters->>'sourceDBClusterSnapshotIdentifier'), ':', 4)
                    END) AS source_region
    FROM cloudtrail
    WHERE eventsource = 'rds.amazonaws.com'
      AND eventname IN ('CopyDBSnapshot', 'CopyDBClusterSnapshot')
      AND errorcode IS NULL
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       source_region,
       count(*) AS copies,
       array_to_string(array_sort(array_agg(DISTINCT source_snapshot)), ', ') AS source_snapshots,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(target_snapshot, ''))), ', ') AS target_snapshots
FROM copies
WHERE source_region IS NOT NULL
  AND source_region <> ''
  AND source_region <> awsregion
GROUP BY principal, recipientaccountid, awsregion, source_region
ORDER BY first_seen
