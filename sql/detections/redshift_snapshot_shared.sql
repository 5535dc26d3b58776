-- title: Redshift snapshot shared with another account
-- description: A successful redshift:AuthorizeSnapshotAccess whose accountWithRestoreAccess is an account other than the snapshot owner's: that account can now restore the whole data warehouse into a cluster it controls, exfiltration of every table in one call. Sharing with AWS Support (amazon-redshift-support) is left out. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: redshift-snapshot-shared
-- stratus: -
-- false_positives: Cross-account backup vaults, disaster-recovery copies and migrations to a sibling account; allow-list those principals or target accounts.
-- tags: redshift, snapshot, sharing, cross-account, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'snapshotIdentifier', requestparameters->>'snapshotArn', ''))), ', ') AS snapshots,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'snapshotClusterIdentifier', ''))), ', ') AS clusters,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'accountWithRestoreAccess')), ', ') AS shared_with
FROM cloudtrail
WHERE eventsource = 'redshift.amazonaws.com'
  AND eventname = 'AuthorizeSnapshotAccess'
  AND requestparameters->>'accountWithRestoreAccess' <> recipientaccountid
  AND requestparameters->>'accountWithRestoreAccess' <> 'amazon-redshift-support'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
