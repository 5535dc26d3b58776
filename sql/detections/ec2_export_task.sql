-- title: EC2 instance or image export task
-- description: A CreateInstanceExportTask, ExportImage or CreateStoreImageTask call, successful or failed: the disk of an instance or AMI is written out to S3 as a VM image, so the whole machine (and any secrets on it) can be downloaded. Failures are kept because a denied export is an attempt worth triage. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: ec2-export-task
-- stratus: -
-- false_positives: VM migration to on-premises hypervisors and AMI archival to S3; allow-list those principals.
-- tags: ec2, export, vm-image, exfiltration
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
       count(*) AS calls,
       sum(CASE WHEN errorcode IS NULL THEN 0 ELSE 1 END) AS failures,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'instanceId', requestparameters->>'imageId',
                                                   json_extract_scalar(requestparameters, '$.CreateStoreImageTaskRequest.ImageId'), ''))), ', ') AS sources,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.exportToS3.s3Bucket'),
                                                   json_extract_scalar(requestparameters, '$.s3ExportLocation.s3Bucket'),
                                                   json_extract_scalar(requestparameters, '$.CreateStoreImageTaskRequest.Bucket'), ''))), ', ') AS buckets
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateInstanceExportTask', 'ExportImage', 'CreateStoreImageTask')
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
