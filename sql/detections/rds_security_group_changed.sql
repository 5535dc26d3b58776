-- title: RDS DB security group changed
-- description: A classic RDS DB security group was created, deleted, or had ingress authorized or revoked: these groups decide which networks reach the database, and opening one is a quiet way to expose data. One finding per principal, account, region and DB security group.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: rds-security-group-changed
-- stratus: -
-- panther: AWS.RDS.SecurityGroupIngressAuthorized
-- false_positives: Database administrators maintaining legacy EC2-Classic style DB security groups; allow-list their principals.
-- tags: rds, security-group, network, database, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'dBSecurityGroupName', '') AS db_security_group,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'cIDRIP', requestparameters->>'eC2SecurityGroupId', requestparameters->>'eC2SecurityGroupName', ''))), ', ') AS sources
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('AuthorizeDBSecurityGroupIngress', 'CreateDBSecurityGroup',
                    'DeleteDBSecurityGroup', 'RevokeDBSecurityGroupIngress')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
