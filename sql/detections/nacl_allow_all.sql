-- title: Network ACL entry allows all traffic from anywhere
-- description: A CreateNetworkAclEntry or ReplaceNetworkAclEntry added an inbound allow rule for 0.0.0.0/0 or ::/0 covering all protocols or the whole port range: the subnet-level firewall no longer filters anything from the internet. One finding per principal, account, region and network ACL.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: nacl-allow-all
-- stratus: -
-- panther: AWS.CloudTrail.NetworkACLPermissiveEntry
-- false_positives: Default-style network ACLs recreated by infrastructure-as-code (the default ACL allows all); allow-list those pipelines or ACLs.
-- tags: ec2, network-acl, network, exposure, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'networkAclId' AS network_acl,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT concat(requestparameters->>'ruleNumber', ' proto ', requestparameters->>'aclProtocol', ' ',
                                                 coalesce(requestparameters->>'cidrBlock', requestparameters->>'ipv6CidrBlock')))), ', ') AS rules
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateNetworkAclEntry', 'ReplaceNetworkAclEntry')
  AND lower(requestparameters->>'ruleAction') = 'allow'
  AND lower(requestparameters->>'egress') = 'false'
  AND (requestparameters->>'cidrBlock' = '0.0.0.0/0' OR requestparameters->>'ipv6CidrBlock' = '::/0')
  AND (requestparameters->>'aclProtocol' IN ('-1', 'all')
       OR (coalesce(json_extract_scalar(requestparameters, '$.portRange.from'), '') IN ('0', '1')
           AND json_extract_scalar(requestparameters, '$.portRange.to') = '65535'))
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
