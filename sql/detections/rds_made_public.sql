-- title: RDS instance or cluster made publicly accessible
-- description: A successful ModifyDBInstance, ModifyDBCluster, CreateDBInstance or CreateDBCluster with publiclyAccessible=true: the database endpoint resolves to a public address and is reachable from the internet if its security groups allow it. One finding per principal, account, region and database.
-- severity: high
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1133 External Remote Services
-- catalogue: rds-made-public
-- stratus: -
-- panther: AWS.RDS.InstanceMadePublic
-- false_positives: Public demo or test databases; allow-list those identifiers.
-- tags: rds, public, network-exposure, persistence, exfiltration
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
  AND eventname IN ('ModifyDBInstance', 'ModifyDBCluster', 'CreateDBInstance', 'CreateDBCluster')
  AND lower(requestparameters->>'publiclyAccessible') = 'true'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
