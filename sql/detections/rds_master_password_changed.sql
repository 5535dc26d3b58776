-- title: RDS master user password changed
-- description: A successful ModifyDBInstance or ModifyDBCluster that sets masterUserPassword (or rotateMasterUserPassword=true): whoever sets it can log in to the database as its administrator, a takeover and persistence step. One finding per principal, account, region and database.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098 Account Manipulation
-- catalogue: rds-master-password-changed
-- stratus: -
-- panther: AWS.RDS.MasterPasswordUpdated
-- false_positives: Password rotation by DBAs or rotation tooling; allow-list those principals.
-- tags: rds, password, credential, persistence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'dBInstanceIdentifier', requestparameters->>'dBClusterIdentifier', '') AS db_identifier,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('ModifyDBInstance', 'ModifyDBCluster')
  AND (requestparameters->>'masterUserPassword' IS NOT NULL
       OR coalesce(lower(requestparameters->>'rotateMasterUserPassword'), '') = 'true')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
