-- title: User data of many EC2 instances requested
-- description: Many ec2:DescribeInstanceAttribute calls for the userData attribute by one principal within a time bucket, allowed or denied: user data often holds bootstrap secrets (passwords, tokens, keys), and sweeping it across instances is credential hunting; denied attempts show the probing. Calls an AWS service made on a principal's behalf (userIdentity.invokedBy set, e.g. CloudFormation) are left out. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1552.005 Unsecured Credentials: Cloud Instance Metadata API
-- catalogue: ec2-user-data-download
-- stratus: aws.discovery.ec2-download-user-data
-- panther: AWS.EC2.DownloadInstanceUserData
-- per_event: threshold=1
-- false_positives: Inventory, backup and CSPM scanners that read every instance's user data; allow-list their roles.
-- tags: ec2, user-data, credential-access, discovery, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 10  Fewest requests in one bucket to report
-- param: window interval 24h  Bucket length
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS requests,
       count(*) FILTER (WHERE errorcode IS NOT NULL) AS denied,
       count(DISTINCT requestparameters->>'instanceId') AS instances,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(errorcode, 'success'))), ', ') AS outcomes
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'DescribeInstanceAttribute'
  AND requestparameters->>'attribute' = 'userData'
  AND useridentity.invokedby IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(*) >= $threshold
ORDER BY first_seen
