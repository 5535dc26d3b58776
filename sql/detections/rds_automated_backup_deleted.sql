-- title: RDS automated backups deleted
-- description: A successful rds DeleteDBInstanceAutomatedBackup or DeleteDBClusterAutomatedBackup: the retained automated backups (and with them point-in-time recovery) of a database are destroyed, typically just before or after the database itself is deleted so that it cannot be restored. One finding per principal, account and region, with the backups.
-- severity: critical
-- attack_tactic: TA0040 Impact
-- attack_technique: T1490 Inhibit System Recovery
-- catalogue: rds-automated-backup-deleted
-- stratus: -
-- panther: AWS.RDS.AutomatedBackupDeleted
-- false_positives: Clean-up of retained backups of databases that were decommissioned on purpose, by administrators or infrastructure as code; confirm against change records.
-- tags: rds, backup, impact, recovery
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
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dbiResourceId',
                                                   requestparameters->>'dbClusterResourceId',
                                                   requestparameters->>'dBInstanceAutomatedBackupsArn',
                                                   requestparameters->>'dBClusterAutomatedBackupsArn', ''))), ', ') AS backups
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('DeleteDBInstanceAutomatedBackup', 'DeleteDBClusterAutomatedBackup')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
