-- title: RDS snapshot exported to S3
-- description: A successful StartExportTask: an RDS or Aurora snapshot (or cluster) is written as Parquet to an S3 bucket, a quiet way to copy a whole database out of the database service. One finding per principal, account and region, with the sources and target buckets.
-- severity: high
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: rds-snapshot-export
-- stratus: -
-- panther: AWS.RDS.SnapshotExport
-- false_positives: Analytics pipelines that export snapshots to a data lake on a schedule; allow-list those roles and buckets.
-- tags: rds, snapshot, export, s3, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS exports,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'sourceArn', ''))), ', ') AS sources,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'s3BucketName', ''))), ', ') AS buckets
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname = 'StartExportTask'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
