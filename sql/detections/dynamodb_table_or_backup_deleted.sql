-- title: DynamoDB table or backup deleted, or point-in-time recovery disabled
-- description: A successful dynamodb:DeleteTable, dynamodb:DeleteBackup, or dynamodb:UpdateContinuousBackups that turns point-in-time recovery off: the data, or the means to restore it, is gone, the destructive end of a ransom or sabotage run (disable PITR, delete the backups, then the table). One finding per principal, account, region and table.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1485 Data Destruction
-- catalogue: dynamodb-table-or-backup-deleted
-- stratus: -
-- false_positives: Infrastructure-as-code tearing down test or preview environments, backup retention clean-up and cost work that disables PITR on non-production tables; allow-list those pipeline roles or table name patterns.
-- tags: dynamodb, backup, pitr, deletion, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(regexp_replace(requestparameters->>'tableName', '^arn:[^/]*:table/', ''), split_part(requestparameters->>'backupArn', '/', 2)) AS table_name,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       bool_or(eventname = 'DeleteTable') AS table_deleted,
       count(*) FILTER (WHERE eventname = 'DeleteBackup') AS backups_deleted,
       bool_or(eventname = 'UpdateContinuousBackups') AS pitr_disabled,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'backupArn')), ', ') AS backups
FROM cloudtrail
WHERE eventsource = 'dynamodb.amazonaws.com'
  AND errorcode IS NULL
  AND (
        eventname IN ('DeleteTable', 'DeleteBackup')
     OR (eventname = 'UpdateContinuousBackups'
         AND json_extract_scalar(requestparameters, '$.pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled') = 'false')
      )
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
