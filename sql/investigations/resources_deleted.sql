-- title: Resources deleted
-- description: Who deleted what, oldest first: every Delete*, Terminate*, Remove*, Deregister*, Purge*, Cancel*, Disassociate* and Detach* call (including S3 object deletes when data events are logged; the end of an SSM session is not counted), with the principal, source address, service, the resource named in the request (bucket and key, instance, role, user, policy, trail, log group, snapshot, function, key…) and the error of refused attempts. Mass deletion by one principal is destruction or tracks being covered. Pass a principal ARN to see one, or * (the default) for all.
-- tags: impact, destruction, defense-evasion, change
-- param: principal string *  One principal ARN, or * for every principal
-- param: include_failed bool true  Also list refused or failed deletions
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
-- The placeholder is used once, so it has one type wherever it is compared.
WITH wanted AS (SELECT CAST($principal AS VARCHAR) AS p)
SELECT c.eventtime,
       coalesce(c.useridentity.arn, c.useridentity.invokedby, c.useridentity.principalid, c.useridentity.type) AS principal,
       c.sourceipaddress,
       split_part(c.eventsource, '.', 1) AS service,
       c.eventname,
       c.awsregion,
       coalesce(
           CASE WHEN c.requestparameters->>'bucketName' IS NOT NULL AND c.requestparameters->>'key' IS NOT NULL
                THEN (c.requestparameters->>'bucketName') || '/' || (c.requestparameters->>'key') END,
           c.requestparameters->>'bucketName',
           json_extract_scalar(c.requestparameters, '$.instancesSet.items[0].instanceId'),
           c.requestparameters->>'instanceId',
           c.requestparameters->>'roleName', c.requestparameters->>'userName', c.requestparameters->>'groupName',
           c.requestparameters->>'policyArn', c.requestparameters->>'policyName',
           c.requestparameters->>'functionName', c.requestparameters->>'trailName',
           c.requestparameters->>'logGroupName', c.requestparameters->>'logStreamName',
           c.requestparameters->>'dBInstanceIdentifier', c.requestparameters->>'dBClusterIdentifier',
           c.requestparameters->>'dBSnapshotIdentifier', c.requestparameters->>'snapshotId',
           c.requestparameters->>'volumeId', c.requestparameters->>'imageId', c.requestparameters->>'keyName',
           c.requestparameters->>'groupId', c.requestparameters->>'vpcId', c.requestparameters->>'subnetId',
           c.requestparameters->>'tableName', c.requestparameters->>'secretId', c.requestparameters->>'keyId',
           c.requestparameters->>'detectorId', c.requestparameters->>'stackName', c.requestparameters->>'clusterName',
           c.requestparameters->>'repositoryName', c.requestparameters->>'queueUrl', c.requestparameters->>'topicArn',
           c.requestparameters->>'resolverQueryLogConfigId', c.requestparameters->>'accessKeyId',
           json_extract_scalar(c.requestparameters, '$.DeleteFlowLogsRequest.FlowLogId.content'),
           c.requestparameters->>'name',
           c.resources[1]['arn'],
           substr(c.requestparameters, 1, 200)) AS resource,
       c.errorcode,
       c.recipientaccountid AS account,
       c.eventid
FROM cloudtrail c, wanted w
WHERE regexp_like(c.eventname, '^(Delete|Terminate|Remove|Deregister|Purge|Cancel|Disassociate|Detach|Destroy)')
  AND c.eventname <> 'TerminateSession'
  AND (w.p = '*' OR c.useridentity.arn = w.p)
  AND (c.errorcode IS NULL OR $include_failed)
  AND c.eventtime >= $since
  AND c.eventtime <= $until
ORDER BY c.eventtime, c.eventid
LIMIT $limit
