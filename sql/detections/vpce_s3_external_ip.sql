-- title: S3 reached through a VPC endpoint from a public source address
-- description: A CloudTrail network activity event (eventType AwsVpceEvent) for Amazon S3 whose sourceIPAddress is a public address: requests through an interface or gateway endpoint normally come from private addresses inside the VPC, so a public one means traffic from outside reaching buckets through your network path (a VPN or proxy into the VPC, an instance relaying for someone else), the way data is pulled out while looking like internal access. One finding per principal (and calling account), account, region, endpoint and source address, with the buckets and calls.
-- severity: medium
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1048 Exfiltration Over Alternative Protocol
-- catalogue: vpce-s3-from-external-ip
-- stratus: -
-- panther: AWS.CloudTrail.VPCE.S3ExternalIP
-- false_positives: VPCs that use public address ranges internally (BYOIP or non-RFC1918 space), and on-premises networks with public ranges reaching the endpoint over Direct Connect or VPN; list those ranges and filter them out.
-- tags: vpc-endpoint, network-activity, s3, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.principalid, useridentity.type) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       vpcendpointid AS vpc_endpoint,
       useridentity.accountid AS caller_account,
       count(*) AS requests,
       count(*) FILTER (WHERE errorcode IS NOT NULL) AS failed,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS calls,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'bucketName', ''))), ', ') AS buckets
FROM cloudtrail
WHERE eventtype = 'AwsVpceEvent'
  AND eventsource = 's3.amazonaws.com'
  AND NOT coalesce(is_private_ip(sourceipaddress), true)
  AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.principalid, useridentity.type), useridentity.accountid, sourceipaddress,
         recipientaccountid, awsregion, vpcendpointid
ORDER BY first_seen
