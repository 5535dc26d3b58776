-- title: RDS database restored from a snapshot or S3
-- description: A successful RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceFromS3, RestoreDBClusterFromSnapshot, RestoreDBClusterFromS3 or point-in-time restore: an attacker restores a copy they control (often publicly accessible, with a new master password) to read the data. One finding per principal, account and region; public_restore says whether any restore asked for publiclyAccessible=true or, when the request leaves it unset, whether the restored instance came out public (the default in a default VPC).
-- severity: high
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1578.002 Modify Cloud Compute Infrastructure: Create Cloud Instance
-- catalogue: rds-restore
-- stratus: -
-- panther: AWS.RDS.PublicRestore
-- false_positives: Disaster-recovery drills and test environments built from production snapshots; allow-list those principals, and triage public_restore first.
-- tags: rds, restore, snapshot, exfiltration
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dBInstanceIdentifier', requestparameters->>'dBClusterIdentifier', requestparameters->>'targetDBInstanceIdentifier', ''))), ', ') AS databases,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dBSnapshotIdentifier', requestparameters->>'snapshotIdentifier', requestparameters->>'s3BucketName', requestparameters->>'sourceDBInstanceIdentifier', ''))), ', ') AS sources,
       bool_or(coalesce(lower(requestparameters->>'publiclyAccessible'), lower(responseelements->>'publiclyAccessible'), '') = 'true') AS public_restore
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('RestoreDBInstanceFromDBSnapshot', 'RestoreDBInstanceFromS3', 'RestoreDBClusterFromSnapshot',
                    'RestoreDBClusterFromS3', 'RestoreDBInstanceToPointInTime', 'RestoreDBClusterToPointInTime')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
