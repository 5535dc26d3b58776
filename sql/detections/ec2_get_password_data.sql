-- title: EC2 Windows password data retrieved repeatedly
-- description: Many ec2:GetPasswordData calls by one principal within a time bucket, allowed or denied: the call returns the encrypted Administrator password of Windows instances, and bursts of it, especially denied ones from a role, are credential harvesting. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1552 Unsecured Credentials
-- catalogue: ec2-get-password-data
-- stratus: aws.credential-access.ec2-get-password-data
-- panther: AWS.EC2.ManyPasswordReadAttempts
-- per_event: threshold=1
-- false_positives: Administrators retrieving the password of a few new Windows instances and fleet tooling that does so for many; allow-list that tooling or raise the threshold.
-- tags: ec2, windows, password, credential-access, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 10  Fewest requests in one bucket to report
-- param: window interval 1h  Bucket length
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
  AND eventname = 'GetPasswordData'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(*) >= $threshold
ORDER BY first_seen
