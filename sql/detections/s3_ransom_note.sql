-- title: Ransom note uploaded to S3
-- description: A successful PutObject whose key looks like a ransom note (ransom, decrypt, recover or restore your files, how to..., files deleted/encrypted, bitcoin): the calling card left by S3 ransomware after deleting or encrypting a bucket's objects. Needs S3 data events. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1486 Data Encrypted for Impact
-- catalogue: s3-ransom-note
-- stratus: aws.impact.s3-ransomware-batch-deletion, aws.impact.s3-ransomware-individual-deletion, aws.impact.s3-ransomware-client-side-encryption
-- panther: AWS.S3.RansomwareNoteUpload
-- false_positives: Documentation about data recovery or restore procedures; review the key and who wrote it.
-- tags: s3, data-events, ransomware, impact
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
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'key')), ', ') AS keys
FROM cloudtrail
WHERE eventsource = 's3.amazonaws.com'
  AND eventname IN ('PutObject', 'CopyObject', 'CompleteMultipartUpload')
  AND errorcode IS NULL
  AND regexp_like(lower(requestparameters->>'key'),
        '(ransom|decrypt|(recover|restore|get)[-_ .]?(your|my|all)?[-_ .]?(files|data)|how[-_ .]?to[-_ .]?(recover|restore|decrypt|get)|(files|data)[-_ .]?(deleted|encrypted|stolen)|your[-_ .]?(files|data)|bitcoin|btc[-_ .]?wallet)')
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
