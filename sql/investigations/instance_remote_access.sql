-- title: Remote access and code execution on instances
-- description: Ways into EC2 instances through the AWS API, oldest first: SSM Run Command (SendCommand) and Session Manager sessions, EC2 Instance Connect and serial-console SSH keys pushed, serial console access enabled, Windows password data read, console output or screenshots read, and user data modified. Who did it, from where, on which instance(s), with which document, OS user or SSH key, and whether it was refused. Lateral movement from the control plane into workloads shows up here.
-- tags: ec2, ssm, execution, lateral-movement, remote-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
       sourceipaddress,
       useragent_family(useragent) AS agent,
       awsregion,
       split_part(eventsource, '.', 1) AS service,
       eventname,
       coalesce(requestparameters->>'instanceId',
                requestparameters->>'target',
                json_extract(requestparameters, '$.instanceIds'),
                json_extract(requestparameters, '$.targets'),
                json_extract_scalar(requestparameters, '$.instancesSet.items[0].instanceId')) AS instances,
       coalesce(requestparameters->>'documentName', requestparameters->>'instanceOSUser',
                requestparameters->>'sSHPublicKey', requestparameters->>'sessionId') AS detail,
       coalesce(json_extract_scalar(responseelements, '$.command.commandId'),
                responseelements->>'sessionId') AS command_or_session,
       errorcode,
       eventid
FROM cloudtrail
WHERE ((eventsource = 'ssm.amazonaws.com' AND eventname IN ('SendCommand', 'StartSession', 'ResumeSession'))
       OR (eventsource = 'ec2-instance-connect.amazonaws.com' AND eventname IN ('SendSSHPublicKey', 'SendSerialConsoleSSHPublicKey'))
       OR (eventsource = 'ec2.amazonaws.com'
           AND (eventname IN ('EnableSerialConsoleAccess', 'GetPasswordData', 'GetConsoleOutput', 'GetConsoleScreenshot')
                OR (eventname = 'ModifyInstanceAttribute' AND requestparameters->>'userData' IS NOT NULL))))
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
