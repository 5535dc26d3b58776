-- title: Timeline of one S3 bucket
-- description: Every event on one bucket, oldest first: configuration changes (policy, ACL, encryption, logging, replication, versioning) and, where S3 data events are logged, object reads, writes and deletes with the object key and bytes moved, with who, from where and what failed. Also catches CloudTrail trails that deliver to the bucket.
-- tags: s3, data-events, resource, timeline, exfiltration
-- param: bucket string required  The bucket name (not its ARN)
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
       sourceipaddress,
       useragent_family(useragent) AS agent,
       eventname,
       readonly,
       requestparameters->>'key' AS object_key,
       CAST(CAST(additionaleventdata->>'bytesTransferredOut' AS DOUBLE) AS BIGINT) AS bytes_out,
       CAST(CAST(additionaleventdata->>'bytesTransferredIn' AS DOUBLE) AS BIGINT) AS bytes_in,
       errorcode,
       useridentity.accesskeyid AS access_key,
       eventcategory,
       eventid
FROM cloudtrail
WHERE coalesce(requestparameters->>'bucketName', requestparameters->>'s3BucketName') = $bucket
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
