-- title: EC2 instance credentials used outside the instance
-- description: Calls signed with an EC2 instance profile session (session name i-..., or ec2RoleDelivery in the session context) that arrive from a public IP address rather than from the VPC or an AWS service: credentials taken from the instance metadata service (SSRF, a compromised host) and replayed elsewhere. Failed calls count too. SSM agent traffic and calls made by services on the instance's behalf are excluded. One finding per instance session, account and source address (region is the first region alphabetically, regions lists all: one outside address replaying the credentials is one incident however many regions it calls).
-- severity: high
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1552.005 Unsecured Credentials: Cloud Instance Metadata API
-- catalogue: imds-credentials-used-outside
-- stratus: aws.credential-access.ec2-steal-instance-credentials
-- panther: AWS.CloudTrail.IMDSCredentialExfiltration
-- false_positives: Instances with a public IP and no VPC endpoints call AWS APIs from their own public address; compare the source address with the instance's public IP, or add the instance ranges as an allow-list.
-- tags: ec2, imds, instance-profile, credentials, credential-access, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       min(awsregion) AS region,
       array_to_string(array_agg(DISTINCT awsregion), ', ') AS regions,
       session_name(useridentity.arn) AS instance_session,
       array_to_string(array_agg(DISTINCT eventname), ', ') AS actions,
       array_to_string(array_agg(DISTINCT coalesce(useragent, '')), ', ') AS user_agents,
       count(*) AS events
FROM cloudtrail
WHERE useridentity.type = 'AssumedRole'
  AND (useridentity.sessioncontext.ec2roledelivery IS NOT NULL
       OR regexp_like(coalesce(session_name(useridentity.arn), ''), '^i-[0-9a-fA-F]{8,17}$'))
  AND useridentity.invokedby IS NULL
  AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
  AND NOT coalesce(is_private_ip(sourceipaddress), false)
  AND regexp_like(sourceipaddress, '^[0-9a-fA-F:.]+$')
  AND coalesce(useragent, '') NOT LIKE 'amazon-ssm-agent%'
  AND eventsource NOT IN ('ssmmessages.amazonaws.com', 'ec2messages.amazonaws.com')
  AND eventname <> 'RegisterManagedInstance'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), sourceipaddress, recipientaccountid, session_name(useridentity.arn)
ORDER BY first_seen
