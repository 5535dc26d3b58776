-- title: Network ACL created or modified
-- description: A network ACL was created or deleted, or its entries or subnet association were created, replaced or deleted: network ACLs are the subnet firewall, and changes to them can open or cut network paths. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: nacl-modified
-- stratus: -
-- panther: AWS.EC2.NetworkACLModified
-- false_positives: VPC provisioning by infrastructure-as-code pipelines and network teams; allow-list those principals or keep this as an inventory query.
-- tags: ec2, network-acl, network, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'networkAclId', requestparameters->>'associationId',
                                                   json_extract_scalar(responseelements, '$.networkAcl.networkAclId'), requestparameters->>'vpcId', ''))), ', ') AS network_acls,
       count(*) AS changes
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateNetworkAcl', 'CreateNetworkAclEntry', 'ReplaceNetworkAclEntry',
                    'ReplaceNetworkAclAssociation', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
