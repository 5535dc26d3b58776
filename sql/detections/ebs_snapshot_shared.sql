-- title: EBS snapshot shared with another account or made public
-- description: ModifySnapshotAttribute added a createVolumePermission (an account id or the group 'all'), letting another account copy the disk: a quiet way to exfiltrate a whole volume. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: ebs-snapshot-shared
-- stratus: aws.exfiltration.ec2-share-ebs-snapshot
-- panther: AWS.CloudTrail.SnapshotMadePublic
-- false_positives: Backup and disaster-recovery tooling that copies snapshots to a vault account, AMI pipelines sharing to workload accounts; allow-list those principals or target accounts.
-- tags: ec2, ebs, snapshot, sharing, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'snapshotId', ''))), ', ') AS snapshots,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.createVolumePermission.add.items'))), ', ') AS added,
       bool_or(strpos(json_extract(requestparameters, '$.createVolumePermission.add.items'), '"group"') > 0) AS made_public
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'ModifySnapshotAttribute'
  AND json_array_length(json_extract(requestparameters, '$.createVolumePermission.add.items')) > 0
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
