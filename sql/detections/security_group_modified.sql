-- title: EC2 security group modified
-- description: A security group was created, deleted, or had ingress/egress rules authorized, revoked or modified: firewall changes can open a path in or out of the VPC, so every change is worth a record. One finding per principal, account and region.
-- severity: info
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: security-group-modified
-- stratus: aws.exfiltration.ec2-security-group-open-port-22-ingress
-- panther: AWS.EC2.SecurityGroupModified
-- false_positives: Routine changes by infrastructure-as-code pipelines, auto scaling and EKS/ELB controllers; allow-list those principals or keep this as an inventory query.
-- tags: ec2, security-group, network, defense-evasion, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: service_changes bool false  Also report changes AWS services made (userIdentity AWSService or invokedBy set: CloudFormation stacks, ELB/EKS controllers) and changes by service-linked roles (AWSServiceRoleFor*)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'groupId', requestparameters->>'groupName',
                                                   json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.GroupId'),
                                                   responseelements->>'groupId', ''))), ', ') AS groups,
       count(*) AS changes
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress',
                    'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
                    'CreateSecurityGroup', 'DeleteSecurityGroup', 'ModifySecurityGroupRules')
  AND errorcode IS NULL
  AND (($service_changes)
       OR (coalesce(useridentity.type, '') <> 'AWSService'
           AND useridentity.invokedby IS NULL
           AND coalesce(useridentity.arn, '') NOT LIKE '%:assumed-role/AWSServiceRoleFor%'))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
