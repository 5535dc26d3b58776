-- title: EC2 instances launched
-- description: Every RunInstances call, oldest first: who launched what, where and from which address: instance type, AMI, how many instances were asked for and started (with the first instance id), key pair, subnet, instance profile, whether user data was passed, and the error of refused launches. Large GPU or compute types, many instances at once or a region the account does not use is how crypto-mining starts.
-- tags: ec2, compute, execution, impact, crypto-mining
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
       sourceipaddress,
       useragent_family(useragent) AS agent,
       recipientaccountid AS account,
       awsregion,
       requestparameters->>'instanceType' AS instance_type,
       coalesce(json_extract_scalar(requestparameters, '$.instancesSet.items[0].imageId'),
                json_extract_scalar(requestparameters, '$.launchTemplate.launchTemplateId'),
                json_extract_scalar(requestparameters, '$.launchTemplate.launchTemplateName')) AS image_or_template,
       json_extract_scalar(requestparameters, '$.instancesSet.items[0].minCount') AS min_count,
       json_extract_scalar(requestparameters, '$.instancesSet.items[0].maxCount') AS max_count,
       json_array_length(json_extract(responseelements, '$.instancesSet.items')) AS instances_started,
       json_extract_scalar(responseelements, '$.instancesSet.items[0].instanceId') AS first_instance_id,
       coalesce(requestparameters->>'keyName', json_extract_scalar(requestparameters, '$.instancesSet.items[0].keyName')) AS key_name,
       coalesce(requestparameters->>'subnetId', json_extract_scalar(requestparameters, '$.networkInterfaceSet.items[0].subnetId')) AS subnet,
       coalesce(json_extract_scalar(requestparameters, '$.iamInstanceProfile.name'),
                json_extract_scalar(requestparameters, '$.iamInstanceProfile.arn')) AS instance_profile,
       requestparameters->>'userData' IS NOT NULL AS user_data,
       errorcode,
       eventid
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'RunInstances'
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
