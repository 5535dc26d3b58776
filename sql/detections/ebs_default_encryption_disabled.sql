-- title: EBS encryption by default disabled
-- description: A successful ec2 DisableEbsEncryptionByDefault: new EBS volumes and snapshot copies in the region are no longer encrypted, weakening data protection and easing later snapshot exfiltration. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1486 Data Encrypted for Impact
-- catalogue: ebs-default-encryption-disabled
-- stratus: -
-- panther: AWS.EC2.EBS.Encryption.Disabled, AWS.CloudTrail.SecurityConfigurationChange
-- false_positives: Rare in practice; legacy workloads or tooling that cannot handle encrypted volumes. Confirm with the owner.
-- tags: ec2, ebs, encryption, impact, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS calls
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'DisableEbsEncryptionByDefault'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
