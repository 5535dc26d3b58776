-- title: S3 objects encrypted with a KMS key from another account
-- description: A successful CopyObject or PutObject with SSE-KMS whose key ARN belongs to an account other than the bucket owner's: the owner can no longer read the object once the foreign key is withheld, a ransomware technique. Needs S3 data events. One finding per principal, account, region, bucket and key account.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1486 Data Encrypted for Impact
-- catalogue: s3-external-kms-encryption
-- stratus: -
-- panther: AWS.S3.CopyObject.CrossAccount.Encryption.KMS
-- false_positives: Centralised KMS keys held in a security or shared-services account of the same organisation; allow-list those key accounts.
-- tags: s3, data-events, kms, cross-account, ransomware, impact
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
       regexp_match(coalesce(requestparameters->>'x-amz-server-side-encryption-aws-kms-key-id',
                             responseelements->>'x-amz-server-side-encryption-aws-kms-key-id'), 'arn:aws[a-z-]*:kms:[^:]*:([0-9]{12}):')[1] AS key_account,
       count(*) AS writes,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'x-amz-server-side-encryption-aws-kms-key-id',
                                                   responseelements->>'x-amz-server-side-encryption-aws-kms-key-id'))), ', ') AS kms_keys
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname IN ('CopyObject', 'PutObject')
  AND errorcode IS NULL
  AND regexp_match(coalesce(requestparameters->>'x-amz-server-side-encryption-aws-kms-key-id',
                            responseelements->>'x-amz-server-side-encryption-aws-kms-key-id'), 'arn:aws[a-z-]*:kms:[^:]*:([0-9]{12}):')[1] <> recipientaccountid
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8, 9
ORDER BY first_seen
