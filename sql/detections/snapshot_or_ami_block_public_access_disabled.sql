-- title: EBS snapshot or AMI block public access disabled
-- description: A successful DisableSnapshotBlockPublicAccess or DisableImageBlockPublicAccess: the account-and-region guardrail that stops EBS snapshots or AMIs from being shared publicly is switched off, the step before making a disk image public to copy its data out from any AWS account. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: snapshot-or-ami-block-public-access-disabled
-- stratus: -
-- false_positives: Accounts that publish public AMIs or snapshots on purpose (marketplace vendors, open-data publishers); allow-list those accounts or principals.
-- tags: ec2, ebs, snapshot, ami, block-public-access, exfiltration, defense-evasion
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
       bool_or(eventname = 'DisableSnapshotBlockPublicAccess') AS snapshots_unblocked,
       bool_or(eventname = 'DisableImageBlockPublicAccess') AS images_unblocked
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('DisableSnapshotBlockPublicAccess', 'DisableImageBlockPublicAccess')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
