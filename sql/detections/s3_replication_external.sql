-- title: S3 bucket replication configured to another account
-- description: A successful PutBucketReplication whose destination names an AWS account other than the bucket owner's: every new object is copied to a bucket the attacker controls, continuous exfiltration that survives credential revocation. One finding per principal, account, region and bucket.
-- severity: high
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: s3-replication-external
-- stratus: -
-- false_positives: Cross-account backup or log-archive replication to accounts of the same organisation; allow-list those destination accounts. Destinations given only as a bucket ARN (no Account) cannot be judged and are not reported.
-- tags: s3, replication, cross-account, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'bucketName', '') AS bucket,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.ReplicationConfiguration'))), ' | ') AS replication
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname = 'PutBucketReplication'
  AND errorcode IS NULL
  AND regexp_like(replace(requestparameters, recipientaccountid, ''), '"Account"\s*:\s*"[0-9]{12}"')
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
