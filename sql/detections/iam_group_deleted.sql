-- title: IAM group deleted or deletion attempted
-- description: An iam:DeleteGroup call, successful or refused: deleting groups strips members of their access (account access removal) or removes the group that held a restriction; failed attempts show someone trying. One finding per principal, account, region and group, with the outcome.
-- severity: info
-- attack_tactic: TA0040 Impact
-- attack_technique: T1531 Account Access Removal
-- catalogue: iam-group-deleted
-- stratus: -
-- false_positives: Clean-up of unused groups by administrators or infrastructure-as-code; allow-list those principals.
-- tags: iam, group, impact, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'groupName' AS group_name,
       count(*) AS attempts,
       count(*) FILTER (WHERE errorcode IS NULL) AS succeeded,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(errorcode, 'success'))), ', ') AS outcomes
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'DeleteGroup'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'groupName'
ORDER BY first_seen
