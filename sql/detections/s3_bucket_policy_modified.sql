-- title: S3 bucket policy, ACL or configuration changed
-- description: A successful change to a bucket's access or data-management configuration (Put/Delete BucketPolicy, Acl, Cors, Lifecycle, Replication, Website, Encryption, PublicAccessBlock): inventory of changes that can open a bucket, copy it away or expire its objects (e.g. a lifecycle rule that deletes a CloudTrail bucket). One finding per principal, account, region and bucket.
-- severity: info
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: s3-bucket-policy-modified
-- stratus: aws.exfiltration.s3-backdoor-bucket-policy, aws.defense-evasion.cloudtrail-lifecycle-rule
-- panther: AWS.S3.BucketPolicyModified
-- false_positives: Infrastructure-as-code deployments rewrite these settings routinely; allow-list the deployment roles.
-- tags: s3, bucket-policy, configuration, exfiltration, defense-evasion, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: service_changes bool false  Also report changes AWS services made (userIdentity AWSService or invokedBy set: CloudFormation stacks, ELB/EKS controllers) and changes by service-linked roles (AWSServiceRoleFor*)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'bucketName', '') AS bucket,
       count(*) AS changes,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketCors', 'DeleteBucketCors',
                    'PutBucketLifecycle', 'PutBucketLifecycleConfiguration', 'DeleteBucketLifecycle',
                    'PutBucketReplication', 'DeleteBucketReplication', 'PutBucketWebsite', 'DeleteBucketWebsite',
                    'PutBucketEncryption', 'DeleteBucketEncryption', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock')
  AND errorcode IS NULL
  AND (($service_changes)
       OR (coalesce(useridentity.type, '') <> 'AWSService'
           AND useridentity.invokedby IS NULL
           AND coalesce(useridentity.arn, '') NOT LIKE '%:assumed-role/AWSServiceRoleFor%'))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
