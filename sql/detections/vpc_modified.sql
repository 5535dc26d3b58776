-- title: VPC created, deleted, peered or reconfigured
-- description: A successful ec2 CreateVpc, CreateDefaultVpc, DeleteVpc, ModifyVpcAttribute, Associate or DisassociateVpcCidrBlock, a VPC peering connection created, accepted, rejected, modified or deleted, or a ClassicLink change: a peering accepted from another account joins its network to yours, new VPCs and CIDR ranges add network paths nobody reviewed, and deleting or re-addressing one cuts what depended on it. One finding per principal, account and region, with the VPCs and peering connections.
-- severity: info
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: vpc-modified
-- stratus: -
-- panther: AWS.EC2.VPCModified
-- false_positives: Network changes by the platform team and infrastructure as code that builds or tears down environments; allow-list those principals, and look first at peering with accounts you do not know.
-- tags: ec2, vpc, network, peering, defense-evasion, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS changes,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'vpcId',
                                                   json_extract_scalar(responseelements, '$.vpc.vpcId'), ''))), ', ') AS vpcs,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'vpcPeeringConnectionId',
                                                   json_extract_scalar(responseelements, '$.vpcPeeringConnection.vpcPeeringConnectionId'), ''))), ', ') AS peering_connections,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'peerOwnerId', ''))), ', ') AS peer_accounts
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateVpc', 'CreateDefaultVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'ModifyVpcTenancy',
                    'AssociateVpcCidrBlock', 'DisassociateVpcCidrBlock',
                    'CreateVpcPeeringConnection', 'AcceptVpcPeeringConnection', 'RejectVpcPeeringConnection',
                    'DeleteVpcPeeringConnection', 'ModifyVpcPeeringConnectionOptions',
                    'AttachClassicLinkVpc', 'DetachClassicLinkVpc', 'EnableVpcClassicLink', 'DisableVpcClassicLink',
                    'EnableVpcClassicLinkDnsSupport', 'DisableVpcClassicLinkDnsSupport')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
