-- title: Security group ingress opened to the internet
-- description: AuthorizeSecurityGroupIngress or ModifySecurityGroupRules allowed inbound traffic from a /0 range (0.0.0.0/0 or ::/0), exposing whatever listens behind the group, often SSH or RDP, to the whole internet. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: sg-ingress-open-to-world
-- stratus: aws.exfiltration.ec2-security-group-open-port-22-ingress
-- false_positives: Public web front ends (ports 80/443 on load balancer groups) and bastion hosts by design; filter on ports or allow-list the groups.
-- tags: ec2, security-group, network, exposure, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'groupId', requestparameters->>'groupName',
                                                   json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.GroupId'), ''))), ', ') AS groups,
       array_to_string(array_sort(array_agg(DISTINCT concat(coalesce(requestparameters->>'ipProtocol', json_extract_scalar(requestparameters, '$.ipPermissions.items[0].ipProtocol'),
                                                          json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.IpProtocol'), '?'), ' ',
                                                 coalesce(requestparameters->>'fromPort', json_extract_scalar(requestparameters, '$.ipPermissions.items[0].fromPort'),
                                                          json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.FromPort'), '?'), '-',
                                                 coalesce(requestparameters->>'toPort', json_extract_scalar(requestparameters, '$.ipPermissions.items[0].toPort'),
                                                          json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.ToPort'), '?')))), ', ') AS ports
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
  AND regexp_like(requestparameters, '(?i)"cidrip(v4|v6)?"\s*:\s*"[^"]*/0"')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
