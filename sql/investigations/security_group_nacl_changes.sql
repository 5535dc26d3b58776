-- title: Security group and network ACL changes
-- description: Every change to EC2 security groups (rules authorized, revoked or modified, groups created or deleted) and network ACLs (entries created, replaced or deleted, ACLs created, deleted or re-associated), oldest first, with who, from where, the group or ACL, direction, protocol, ports, CIDR, allow/deny, and a flag for rules open to any address (a /0 range). Failed attempts are kept.
-- tags: network, ec2, security-group, firewall, change
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
       sourceipaddress,
       awsregion,
       eventname,
       coalesce(requestparameters->>'groupId', requestparameters->>'groupName',
                json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.GroupId'),
                requestparameters->>'networkAclId', requestparameters->>'associationId',
                responseelements->>'groupId',
                json_extract_scalar(responseelements, '$.networkAcl.networkAclId')) AS group_or_acl,
       requestparameters->>'vpcId' AS vpc,
       CASE WHEN regexp_like(eventname, 'Egress') OR requestparameters->>'egress' = 'true' THEN 'egress'
            WHEN regexp_like(eventname, 'Ingress') OR requestparameters->>'egress' = 'false' THEN 'ingress' END AS direction,
       coalesce(requestparameters->>'ipProtocol', requestparameters->>'aclProtocol',
                json_extract_scalar(requestparameters, '$.ipPermissions.items[0].ipProtocol')) AS protocol,
       coalesce(requestparameters->>'fromPort',
                json_extract_scalar(requestparameters, '$.ipPermissions.items[0].fromPort'),
                json_extract_scalar(requestparameters, '$.portRange.from')) AS from_port,
       coalesce(requestparameters->>'toPort',
                json_extract_scalar(requestparameters, '$.ipPermissions.items[0].toPort'),
                json_extract_scalar(requestparameters, '$.portRange.to')) AS to_port,
       coalesce(requestparameters->>'cidrIp', requestparameters->>'cidrBlock', requestparameters->>'ipv6CidrBlock',
                json_extract_scalar(requestparameters, '$.ipPermissions.items[0].ipRanges.items[0].cidrIp'),
                json_extract_scalar(requestparameters, '$.ipPermissions.items[0].ipv6Ranges.items[0].cidrIpv6'),
                json_extract_scalar(requestparameters, '$.ipPermissions.items[0].groups.items[0].groupId')) AS cidr_or_source,
       requestparameters->>'ruleAction' AS rule_action,
       regexp_like(coalesce(requestparameters, ''), '/0"') AS open_to_any_address,
       errorcode,
       requestparameters,
       eventid
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress',
                    'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
                    'ModifySecurityGroupRules', 'UpdateSecurityGroupRuleDescriptionsIngress',
                    'UpdateSecurityGroupRuleDescriptionsEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup',
                    'CreateNetworkAcl', 'DeleteNetworkAcl', 'CreateNetworkAclEntry', 'ReplaceNetworkAclEntry',
                    'DeleteNetworkAclEntry', 'ReplaceNetworkAclAssociation')
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
