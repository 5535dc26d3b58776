-- title: Network ACL or ACL entry deleted
-- description: A DeleteNetworkAcl or DeleteNetworkAclEntry succeeded: removing deny rules or whole ACLs weakens subnet-level filtering and can hide an exfiltration path. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: nacl-deleted
-- stratus: -
-- false_positives: VPC teardown by infrastructure-as-code pipelines (terraform destroy) and network clean-ups; allow-list those principals.
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
       array_to_string(array_sort(array_agg(DISTINCT concat(requestparameters->>'networkAclId', CASE WHEN requestparameters->>'ruleNumber' IS NULL THEN '' ELSE concat(' rule ', requestparameters->>'ruleNumber') END))), ', ') AS network_acls,
       count(*) AS deletions
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('DeleteNetworkAcl', 'DeleteNetworkAclEntry')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
