-- title: Sensitive control-plane call made through a VPC endpoint
-- description: A CloudTrail network activity event (eventType AwsVpceEvent) for a call that weakens logging, keys, resource policies or network controls, or shares or bulk-reads data (CloudTrail StopLogging, DeleteTrail, UpdateTrail, event selectors; KMS key deletion, disabling, policy and grants; Secrets Manager deletion, resource policies, BatchGetSecretValue; S3 bucket policy, ACL, public access block, versioning, logging, replication, lifecycle and encryption changes; EC2 snapshot and image sharing, security group ingress, flow log deletion, key pairs, password data): workloads inside a VPC read and write data through endpoints, but administration of this kind rarely comes from there, so it points to stolen workload credentials or an intruder on an instance. One finding per principal (and calling account), account, region and endpoint, with the calls.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562 Impair Defenses
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: vpce-sensitive-api
-- stratus: -
-- panther: AWS.CloudTrail.VPCE.SensitiveAPICalls
-- false_positives: Administration or deployment tooling that runs inside the VPC (CI runners, bastion hosts, self-hosted Terraform) and reaches AWS through endpoints; allow-list those principals or endpoints.
-- tags: vpc-endpoint, network-activity, defense-evasion, cloudtrail, kms, s3, secretsmanager
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.principalid, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       vpcendpointid AS vpc_endpoint,
       useridentity.accountid AS caller_account,
       count(*) AS calls,
       count(*) FILTER (WHERE errorcode IS NOT NULL) AS failed,
       array_to_string(array_sort(array_agg(DISTINCT split_part(eventsource, '.', 1) || ':' || eventname)), ', ') AS apis
FROM cloudtrail
WHERE eventtype = 'AwsVpceEvent'
  AND ((eventsource = 'cloudtrail.amazonaws.com'
        AND eventname IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutAdvancedEventSelectors',
                          'DeleteEventDataStore', 'StopEventDataStoreIngestion', 'UpdateEventDataStore'))
    OR (eventsource = 'kms.amazonaws.com'
        AND eventname IN ('ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy', 'CreateGrant', 'DisableKeyRotation',
                          'ImportKeyMaterial', 'DeleteImportedKeyMaterial'))
    OR (eventsource = 'secretsmanager.amazonaws.com'
        AND eventname IN ('DeleteSecret', 'PutResourcePolicy', 'DeleteResourcePolicy', 'BatchGetSecretValue',
                          'RemoveRegionsFromReplication', 'StopReplicationToReplica'))
    OR (eventsource = 's3.amazonaws.com'
        AND eventname IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketPublicAccessBlock',
                          'DeleteBucketPublicAccessBlock', 'PutBucketVersioning', 'PutBucketLogging', 'PutBucketReplication',
                          'DeleteBucketReplication', 'PutBucketLifecycle', 'DeleteBucketLifecycle', 'PutBucketEncryption',
                          'DeleteBucketEncryption', 'DeleteBucket'))
    OR (eventsource = 'ec2.amazonaws.com'
        AND eventname IN ('ModifySnapshotAttribute', 'ModifyImageAttribute', 'AuthorizeSecurityGroupIngress',
                          'DeleteFlowLogs', 'CreateKeyPair', 'ImportKeyPair', 'GetPasswordData',
                          'ModifyInstanceAttribute', 'DisableEbsEncryptionByDefault')))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.principalid, useridentity.type), useridentity.accountid, recipientaccountid,
         awsregion, vpcendpointid
ORDER BY first_seen
