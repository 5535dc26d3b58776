-- title: Account password policy read repeatedly
-- description: Repeated iam:GetAccountPasswordPolicy calls by one principal within a time bucket, successful or not (NoSuchEntity means no policy is set): attackers read the password rules before spraying or creating passwords that pass them, while consoles and auditors read it rarely. One finding per principal, account, region and bucket.
-- severity: medium
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1201 Password Policy Discovery
-- catalogue: password-policy-discovery
-- stratus: -
-- panther: AWS.CloudTrail.Password.Policy.Discovery
-- per_event: threshold=1
-- false_positives: Security posture scanners and CSPM tools poll the password policy; allow-list their roles.
-- tags: iam, password-policy, discovery, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 2  Fewest reads in one bucket to report
-- param: window interval 30m  Bucket length
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS reads,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(errorcode, 'success'))), ', ') AS outcomes
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'GetAccountPasswordPolicy'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(*) >= $threshold
ORDER BY first_seen
