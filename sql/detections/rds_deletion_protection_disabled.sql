-- title: RDS deletion protection disabled
-- description: A successful ModifyDBInstance or ModifyDBCluster with deletionProtection false: the database can now be deleted in one call, a usual step right before destroying it or its backups. One finding per principal, account, region and database.
-- severity: high
-- attack_tactic: TA0040 Impact
-- attack_technique: T1490 Inhibit System Recovery
-- catalogue: rds-deletion-protection-disabled
-- stratus: -
-- panther: AWS.RDS.DeletionProtectionDisabled
-- false_positives: Planned decommissioning of databases and test environments by infrastructure-as-code; allow-list those principals or check for a change ticket.
-- tags: rds, aurora, database, deletion-protection, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'dBInstanceIdentifier', requestparameters->>'dBClusterIdentifier', '') AS db,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       min(CAST(requestparameters->>'backupRetentionPeriod' AS INT)) AS backup_retention_days,
       bool_or(lower(requestparameters->>'publiclyAccessible') = 'true') AS made_public
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('ModifyDBInstance', 'ModifyDBCluster')
  AND lower(requestparameters->>'deletionProtection') = 'false'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
