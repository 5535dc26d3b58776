-- title: IAM permission probing (policy simulation, authorization dump, denial decoding)
-- description: Successful calls to the APIs that tell a caller what it and others may do: iam:SimulatePrincipalPolicy and iam:SimulateCustomPolicy (test actions without triggering access denials), iam:GetAccountAuthorizationDetails (every user, role, group and policy of the account in one dump) and sts:DecodeAuthorizationMessage (read why a call was refused). Intruders and tools such as Pacu and enumerate-iam use them to map permissions and escalation paths quietly. One finding per principal, account, region and window.
-- severity: low
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1087.004 Account Discovery: Cloud Account
-- catalogue: iam-policy-simulation-recon
-- stratus: -
-- false_positives: The IAM console policy simulator, access reviews, CSPM and identity-governance scanners (GetAccountAuthorizationDetails) and developers decoding their own denials; allow-list scanner roles or raise the threshold.
-- tags: iam, sts, policy-simulation, discovery, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 1  Fewest probing calls by one principal in one window to report
-- param: window interval 1d  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'policySourceArn')), ', ') AS simulated_principals,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.actionNames'))), ', ') AS simulated_actions
FROM cloudtrail
WHERE ((eventsource = 'iam.amazonaws.com'
        AND eventname IN ('SimulatePrincipalPolicy', 'SimulateCustomPolicy', 'GetAccountAuthorizationDetails'))
    OR (eventsource = 'sts.amazonaws.com' AND eventname = 'DecodeAuthorizationMessage'))
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING count(*) >= $threshold
ORDER BY first_seen
