-- title: CloudTrail Lake event data store tampered or trail bucket policy denies CloudTrail
-- description: A successful CloudTrail Lake StopEventDataStoreIngestion or DeleteEventDataStore, an UpdateEventDataStore that turns termination protection or multi-region collection off or sets a retention shorter than retention_days, or an S3 PutBucketPolicy with a Deny statement aimed at the cloudtrail.amazonaws.com service principal (or at everyone for s3:PutObject, unconditionally): the event store stops recording or loses history, or the trail can no longer deliver log files to its bucket, while the trail itself still looks healthy. One finding per principal, account, region and event data store or bucket.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudtrail-lake-eds-tampered
-- stratus: -
-- false_positives: Retiring or re-creating an event data store (cost clean-up, moving to an organization store) and data-retention policy changes by the logging team; allow-list those principals. Deleting a trail bucket's policy or rewriting its allow statements is not covered here (it needs the list of trail buckets; see s3_bucket_policy_modified).
-- tags: cloudtrail, cloudtrail-lake, event-data-store, s3, bucket-policy, logging, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: retention_days int 90  An UpdateEventDataStore retention period (days) below this is reported
WITH lake AS (
    SELECT eventid, eventtime, eventname, useridentity, sourceipaddress, recipientaccountid, awsregion,
           coalesce(requestparameters->>'eventDataStore', requestparameters->>'name', '') AS target,
           CASE WHEN eventname = 'UpdateEventDataStore' THEN
                concat_ws(', ',
                    CASE WHEN lower(requestparameters->>'terminationProtectionEnabled') = 'false' THEN 'termination protection off' END,
                    CASE WHEN lower(requestparameters->>'multiRegionEnabled') = 'false' THEN 'multi-region off' END,
                    CASE WHEN try_cast(requestparameters->>'retentionPeriod' AS BIGINT) < $retention_days
                         THEN 'retention ' || (requestparameters->>'retentionPeriod') || ' days' END)
                ELSE arrow_cast(eventname, 'Utf8') END AS change
    FROM cloudtrail
    WHERE eventsource = 'cloudtrail.amazonaws.com'
      AND eventname IN ('StopEventDataStoreIngestion', 'DeleteEventDataStore', 'UpdateEventDataStore')
      AND errorcode IS NULL
      AND eventtime >= $since
      AND eventtime <= $until
),
policies AS (
    SELECT eventid, eventtime, eventname, useridentity, sourceipaddress, recipientaccountid, awsregion,
           coalesce(requestparameters->>'bucketName', '') AS target,
           json_extract(requestparameters, '$.bucketPolicy') AS policy
    FROM cloudtrail
    WHERE eventsource = 's3.amazonaws.com'
      AND eventname = 'PutBucketPolicy'
      AND errorcode IS NULL
      AND strpos(lower(coalesce(json_extract(requestparameters, '$.bucketPolicy'), '')), '"deny"') > 0
      AND eventtime >= $since
      AND eventtime <= $until
),
statements AS (
    SELECT p.*,
           coalesce(json_extract(policy, '$.Statement[' || CAST(i AS VARCHAR) || ']'), json_extract(policy, '$.Statement')) AS stmt
    FROM (SELECT *, unnest(range(0, coalesce(json_array_length(json_extract(policy, '$.Statement')), 1))) AS i
          FROM policies) p
),
denials AS (
    SELECT eventid, eventtime, eventname, useridentity, sourceipaddress, recipientaccountid, awsregion, target,
           'bucket policy denies ' || CASE WHEN strpos(lower(coalesce(json_extract(stmt, '$.Principal'), '')), 'cloudtrail.amazonaws.com') > 0
                                           THEN 'cloudtrail.amazonaws.com' ELSE 'everyone s3:PutObject' END
           || ' (' || coalesce(json_extract(stmt, '$.Action'), '') || ')' AS change
    FROM statements
    WHERE lower(coalesce(json_extract_scalar(stmt, '$.Effect'), '')) = 'deny'
      AND (strpos(lower(coalesce(json_extract(stmt, '$.Principal'), '')), 'cloudtrail.amazonaws.com') > 0
           OR (regexp_like(coalesce(json_extract(stmt, '$.Principal'), ''), '^("\*"|\{\s*"AWS"\s*:\s*("\*"|\[[^\]]*"\*"[^\]]*\])\s*\})$')
               AND regexp_like(lower(coalesce(json_extract(stmt, '$.Action'), '')), '"(\*|s3:\*|s3:put\*|s3:putobject)"')
               AND json_extract(stmt, '$.Condition') IS NULL))
),
hits AS (
    SELECT * FROM lake WHERE change <> ''
    UNION ALL
    SELECT * FROM denials
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       target,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT change)), '; ') AS changes
FROM hits
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, target
ORDER BY first_seen
