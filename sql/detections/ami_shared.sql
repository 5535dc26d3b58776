-- title: AMI shared with another account or made public
-- description: ModifyImageAttribute added a launchPermission (an account, organization or the group 'all'), so another account can launch the image and read its disks, including any secrets baked into it. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: ami-shared
-- stratus: aws.exfiltration.ec2-share-ami
-- panther: AWS.CloudTrail.AMIModifiedForPublicAccess
-- false_positives: Golden-image pipelines that share AMIs with workload accounts or the organization; allow-list those principals or target accounts.
-- tags: ec2, ami, sharing, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'imageId', ''))), ', ') AS images,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.launchPermission.add.items'))), ', ') AS added,
       bool_or(strpos(json_extract(requestparameters, '$.launchPermission.add.items'), '"group"') > 0) AS made_public
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'ModifyImageAttribute'
  AND json_array_length(json_extract(requestparameters, '$.launchPermission.add.items')) > 0
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
