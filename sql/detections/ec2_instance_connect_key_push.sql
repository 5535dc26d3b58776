-- title: SSH public key pushed with EC2 Instance Connect or the serial console
-- description: SendSSHPublicKey or SendSerialConsoleSSHPublicKey installed a 60-second SSH key on an instance, giving a shell to whoever holds the private key; one principal doing it to several instances looks like lateral movement. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0008 Lateral Movement
-- attack_technique: T1021.004 Remote Services: SSH
-- catalogue: ec2-instance-connect-key-push
-- stratus: aws.lateral-movement.ec2-instance-connect, aws.lateral-movement.ec2-serial-console-send-ssh-public-key
-- panther: AWS.EC2.MultiInstanceConnect
-- per_event: min_instances=1
-- false_positives: Administrators using the console's EC2 Instance Connect button as their normal access path; raise min_instances to see only fan-out.
-- tags: ec2, instance-connect, serial-console, ssh, lateral-movement
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: min_instances int 1  Fewest distinct instances to report
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       count(DISTINCT requestparameters->>'instanceId') AS instance_count,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'instanceId', ''))), ', ') AS instances,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'instanceOSUser', ''))), ', ') AS os_users
FROM cloudtrail
WHERE eventsource = 'ec2-instance-connect.amazonaws.com'
  AND eventname IN ('SendSSHPublicKey', 'SendSerialConsoleSSHPublicKey')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
HAVING count(DISTINCT requestparameters->>'instanceId') >= $min_instances
ORDER BY first_seen
