-- title: EC2 machine image created, copied, imported or registered
-- description: A successful ec2 CreateImage, CopyImage, ImportImage, RegisterImage, CreateFpgaImage, CopyFpgaImage, CreateStoreImageTask or CreateRestoreImageTask: imaging an instance copies its disks (data, keys, credentials) into an AMI that can then be shared or copied out, and copying, importing or restoring an image brings outside code into the account that instances may be launched from. One finding per principal, account and region, with the source instances and images.
-- severity: info
-- attack_tactic: TA0002 Execution
-- attack_technique: T1204.003 User Execution: Malicious Image
-- catalogue: ec2-image-activity
-- stratus: -
-- panther: AWS.EC2.Monitoring
-- false_positives: Image pipelines (EC2 Image Builder, Packer), backup jobs that image instances, and golden-AMI copies between regions; allow-list those roles. Calls an AWS service makes on a principal's behalf (userIdentity.invokedBy, e.g. AWS Backup) are left out.
-- tags: ec2, ami, image, collection, execution, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'instanceId', ''))), ', ') AS source_instances,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'sourceImageId', requestparameters->>'sourceFpgaImageId', ''))), ', ') AS source_images,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'sourceRegion', ''))), ', ') AS source_regions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(responseelements->>'imageId', responseelements->>'fpgaImageId', responseelements->>'importTaskId', ''))), ', ') AS images
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateImage', 'CopyImage', 'ImportImage', 'RegisterImage', 'CreateFpgaImage', 'CopyFpgaImage',
                    'CreateStoreImageTask', 'CreateRestoreImageTask')
  AND errorcode IS NULL
  AND useridentity.invokedby IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
