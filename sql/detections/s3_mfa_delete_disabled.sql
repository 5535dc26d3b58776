-- title: S3 MFA Delete disabled on a bucket
-- description: A successful s3 PutBucketVersioning whose VersioningConfiguration sets MfaDelete to Disabled: deleting object versions or changing the versioning state no longer needs the root user's MFA code, removing the last guard against permanent deletion of a bucket's history (ransomware and destruction prepare this way). One finding per principal, account, region and bucket.
-- severity: low
-- attack_tactic: TA0040 Impact
-- attack_technique: T1490 Inhibit System Recovery
-- catalogue: s3-mfa-delete-disabled
-- stratus: -
-- panther: AWS.S3.DisableMfaDelete
-- false_positives: Root users who turn MFA Delete off to apply lifecycle rules (which cannot coexist with MFA Delete) or to decommission a bucket; confirm with the account owner.
-- tags: s3, versioning, mfa-delete, impact, recovery
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'bucketName' AS bucket,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.VersioningConfiguration.Status'), ''))), ', ') AS versioning_status,
       count(*) AS changes
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname = 'PutBucketVersioning'
  AND lower(json_extract_scalar(requestparameters, '$.VersioningConfiguration.MfaDelete')) = 'disabled'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'bucketName'
ORDER BY first_seen
