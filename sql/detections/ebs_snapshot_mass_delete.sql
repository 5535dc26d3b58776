-- title: Many EBS snapshots or volumes deleted by one principal
-- description: At least threshold successful ec2:DeleteSnapshot and ec2:DeleteVolume calls by one principal within one window: wiping the disks and their backups together destroys data and the means to recover it, the impact step of ransom and sabotage operations. One finding per principal, account, region and window.
-- severity: high
-- attack_tactic: TA0040 Impact
-- attack_technique: T1490 Inhibit System Recovery
-- catalogue: ebs-snapshot-mass-delete
-- stratus: -
-- false_positives: Snapshot retention jobs (Data Lifecycle Manager, AWS Backup, custom clean-up Lambdas), AMI de-registration pipelines and environment tear-downs that delete many snapshots or volumes at once; allow-list those roles or raise the threshold.
-- tags: ec2, ebs, snapshot, volume, deletion, impact, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 10  Fewest snapshots and volumes deleted in one window to report
-- param: window interval 1h  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS deletions,
       count(*) FILTER (WHERE eventname = 'DeleteSnapshot') AS snapshots_deleted,
       count(*) FILTER (WHERE eventname = 'DeleteVolume') AS volumes_deleted,
       array_to_string(array_agg(coalesce(requestparameters->>'snapshotId', requestparameters->>'volumeId', '') ORDER BY eventtime), ', ') AS resources
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('DeleteSnapshot', 'DeleteVolume')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING count(*) >= $threshold
ORDER BY first_seen
