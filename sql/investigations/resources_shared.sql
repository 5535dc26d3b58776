-- title: Resources shared outside the account
-- description: Data and images made available to other accounts or to everyone, oldest first: EBS snapshots (createVolumePermission), AMIs (launchPermission), RDS DB and cluster snapshots (restore attribute), and Lambda function permissions, with who shared what with whom, from where, whether it was made public, and whether it succeeded. Sharing a snapshot with an unknown account is one API call away from exfiltrating a whole disk or database.
-- tags: exfiltration, sharing, ec2, rds, lambda, cross-account
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
WITH shares AS (
    SELECT eventtime,
           eventname,
           errorcode,
           eventid,
           sourceipaddress,
           recipientaccountid AS account,
           coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
           coalesce(requestparameters->>'snapshotId', requestparameters->>'imageId',
                    requestparameters->>'dBSnapshotIdentifier', requestparameters->>'dBClusterSnapshotIdentifier',
                    requestparameters->>'functionName') AS resource,
           coalesce(json_extract(requestparameters, '$.createVolumePermission.add.items'),
                    json_extract(requestparameters, '$.launchPermission.add.items'),
                    json_extract(requestparameters, '$.valuesToAdd'),
                    requestparameters->>'principal') AS shared_with,
           coalesce(json_extract(requestparameters, '$.createVolumePermission.remove.items'),
                    json_extract(requestparameters, '$.launchPermission.remove.items'),
                    json_extract(requestparameters, '$.valuesToRemove')) AS unshared_from
    FROM cloudtrail
    WHERE ((eventsource = 'ec2.amazonaws.com' AND eventname IN ('ModifySnapshotAttribute', 'ModifyImageAttribute'))
           OR (eventsource = 'rds.amazonaws.com' AND eventname IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'))
           OR (eventsource = 'lambda.amazonaws.com' AND regexp_like(eventname, '^AddPermission')))
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT eventtime,
       principal,
       sourceipaddress,
       eventname,
       resource,
       shared_with,
       unshared_from,
       regexp_like(coalesce(shared_with, ''), '(?i)"all"|"\*"|^\*$') AS public,
       errorcode,
       account,
       eventid
FROM shares
ORDER BY eventtime, eventid
LIMIT $limit
