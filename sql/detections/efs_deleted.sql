-- title: EFS file system or mount target deleted
-- description: A successful DeleteFileSystem or DeleteMountTarget on Elastic File System: shared file data is destroyed, or cut off from the instances that mount it. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1485 Data Destruction
-- catalogue: efs-deleted
-- stratus: -
-- false_positives: Environment teardown by infrastructure pipelines; allow-list those principals.
-- tags: efs, deletion, impact
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'fileSystemId', requestparameters->>'mountTargetId', ''))), ', ') AS targets
FROM cloudtrail
WHERE eventsource = 'elasticfilesystem.amazonaws.com'
  AND eventname IN ('DeleteFileSystem', 'DeleteMountTarget')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
