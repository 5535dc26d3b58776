-- title: RDS snapshot shared with another account or made public
-- description: ModifyDBSnapshotAttribute or ModifyDBClusterSnapshotAttribute added values to the 'restore' attribute (an account id or 'all'), so another account can restore the database: exfiltration of a whole database in one call. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: rds-snapshot-shared
-- stratus: aws.exfiltration.rds-share-snapshot
-- panther: AWS.RDS.SnapshotShared
-- false_positives: Cross-account backup copies and migrations to a sibling account; allow-list those principals or target accounts.
-- tags: rds, snapshot, sharing, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dBSnapshotIdentifier', requestparameters->>'dBClusterSnapshotIdentifier', ''))), ', ') AS snapshots,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.valuesToAdd'))), ', ') AS added,
       bool_or(strpos(json_extract(requestparameters, '$.valuesToAdd'), '"all"') > 0) AS made_public
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute')
  AND requestparameters->>'attributeName' = 'restore'
  AND json_array_length(json_extract(requestparameters, '$.valuesToAdd')) > 0
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
