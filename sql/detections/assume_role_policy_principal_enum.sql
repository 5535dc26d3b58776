-- title: Principal enumeration via failing UpdateAssumeRolePolicy
-- description: Many iam:UpdateAssumeRolePolicy calls failing with MalformedPolicyDocument from one principal within a time bucket: trust policies naming guessed principals are rejected when the principal does not exist, so the errors reveal which users and roles exist in other accounts. One finding per principal, account, region, source IP and bucket.
-- severity: medium
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1087.004 Account Discovery: Cloud Account
-- catalogue: assume-role-policy-principal-enum
-- stratus: -
-- per_event: threshold=1
-- false_positives: Infrastructure-as-code retries against a trust policy with a typo; these repeat the same document and stop quickly, so raise the threshold if they recur.
-- tags: iam, sts, enumeration, discovery, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 25  Fewest failed calls in one bucket to report
-- param: window interval 1h  Bucket length
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       sourceipaddress AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS failures,
       count(DISTINCT requestparameters->>'roleName') AS roles_used,
       array_to_string(array_sort(array_agg(DISTINCT errorcode)), ', ') AS error_codes
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'UpdateAssumeRolePolicy'
  AND errorcode LIKE 'MalformedPolicyDocument%'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), sourceipaddress, recipientaccountid, awsregion,
         date_bin($window, eventtime)
HAVING count(*) >= $threshold
ORDER BY first_seen
