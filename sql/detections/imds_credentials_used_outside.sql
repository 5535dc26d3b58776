-- title: EC2 instance credentials used outside the instance
-- description: Calls signed with an EC2 instance profile session (session name i-..., or ec2RoleDelivery in the session context) that arrive from a public IP address rather than from the VPC, an AWS service or the account's own egress: credentials taken from the instance metadata service (SSRF, a compromised host) and replayed elsewhere. Failed calls count too. SSM agent traffic and calls made by services on the instance's behalf are excluded. The account's own egress is an address in AWS's published EC2 ranges (aws_ip_service) of the region called that either two or more instance sessions of the same role use (a NAT gateway) or is the only public address the session ever used (the instance's own Elastic IP); an EC2 address beside another one in the same session still counts, as does any address outside AWS. One finding per instance session, account and source address (region is the first region alphabetically, regions lists all: one outside address replaying the credentials is one incident however many regions it calls); its evidence is the first call of each API in each region (the calls are counted).
-- severity: high
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1552.005 Unsecured Credentials: Cloud Instance Metadata API
-- catalogue: imds-credentials-used-outside
-- stratus: aws.credential-access.ec2-steal-instance-credentials
-- panther: AWS.CloudTrail.IMDSCredentialExfiltration
-- false_positives: An instance that reaches AWS through a proxy or egress outside AWS (an on-premises firewall over Direct Connect or VPN) calls from that address; add it as an allow-list. The bundled AWS ranges are a dated snapshot (trawl-engine/data/README.md): an address AWS published after it looks external.
-- tags: ec2, imds, instance-profile, credentials, credential-access, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: own_egress bool true  Leave out the account's own egress (EC2 addresses of the region called that are shared by the role's instances or are the session's only public address); false reports every public address
WITH calls AS (
  SELECT eventid, eventtime, eventname, useragent, awsregion,
         coalesce(useridentity.arn, useridentity.type) AS principal,
         session_issuer(useridentity.arn) AS role,
         sourceipaddress AS sourceip,
         recipientaccountid AS account,
         session_name(useridentity.arn) AS instance_session
  FROM cloudtrail
  WHERE useridentity.type = 'AssumedRole'
    -- CASE, not OR: OR evaluated the regex on every other session's name too. A name
    -- that looks like an instance id follows a '/' in the ARN.
    AND CASE WHEN useridentity.sessioncontext.ec2roledelivery IS NOT NULL THEN true
             WHEN useridentity.arn LIKE '%/i-%'
             THEN regexp_like(coalesce(session_name(useridentity.arn), ''), '^i-[0-9a-fA-F]{8,17}$')
             ELSE false END
    AND useridentity.invokedby IS NULL
    AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
    AND NOT coalesce(is_private_ip(sourceipaddress), false)
    AND regexp_like(sourceipaddress, '^[0-9a-fA-F:.]+$')
    AND coalesce(useragent, '') NOT LIKE 'amazon-ssm-agent%'
    AND eventsource NOT IN ('ssmmessages.amazonaws.com', 'ec2messages.amazonaws.com')
    AND eventname <> 'RegisterManagedInstance'
    AND eventtime >= $since
    AND eventtime <= $until
),
-- One row per API and region of each session and address, with its first call as the
-- evidence: the calls from an address outside are the finding, and the first of each
-- kind shows them (every call was thousands per finding for a busy instance, and
-- correlation reads each).
kinds AS (
  SELECT principal, role, sourceip, account, instance_session, awsregion, eventname,
         count(*) AS events,
         min(eventtime) AS first_time,
         max(eventtime) AS last_time,
         first_value(eventid ORDER BY eventtime, eventid) AS first_id,
         array_sort(array_agg(DISTINCT coalesce(useragent, ''))) AS user_agents
  FROM calls
  GROUP BY principal, role, sourceip, account, instance_session, awsregion, eventname
),
per_address AS (
  SELECT array_agg(first_id ORDER BY first_time, first_id) AS eventids,
         min(first_time) AS first_seen,
         max(last_time) AS last_seen,
         principal, role, sourceip, account, instance_session,
         min(awsregion) AS region,
         array_to_string(array_sort(array_agg(DISTINCT awsregion)), ', ') AS regions,
         array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
         array_to_string(array_sort(array_distinct(flatten(array_agg(user_agents)))), ', ') AS user_agents,
         sum(events) AS events,
         -- Every call from an EC2 address of the region it called. The address is the
         -- group's, so it is looked up once per group, not once per call.
         coalesce(aws_ip_service(sourceip) = 'EC2', false)
           AND count(awsregion) = count(*)
           AND min(awsregion) = max(awsregion)
           AND coalesce(min(awsregion) = aws_ip_region(sourceip), false) AS ec2_in_region
  FROM kinds
  GROUP BY principal, role, sourceip, account, instance_session
),
judged AS (
  SELECT *,
         -- one row per session and address, so these count addresses and sessions
         count(*) OVER (PARTITION BY principal, account) AS session_addresses,
         count(*) OVER (PARTITION BY role, account, sourceip) AS role_sessions
  FROM per_address
)
SELECT eventids, first_seen, last_seen, principal, sourceip, account, region, regions,
       instance_session, actions, user_agents, events,
       CASE WHEN aws_ip_service(sourceip) IS NULL THEN 'outside AWS'
            ELSE concat('AWS ', aws_ip_service(sourceip), ' ', coalesce(aws_ip_region(sourceip), ''))
       END AS address_owner
FROM judged
WHERE NOT ($own_egress AND ec2_in_region AND (role_sessions >= 2 OR session_addresses = 1))
ORDER BY first_seen
