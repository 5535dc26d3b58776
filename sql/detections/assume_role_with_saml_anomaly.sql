-- title: One SAML identity assuming many roles
-- description: AssumeRoleWithSAML calls in which one federated identity (SAML subject) of one identity provider assumed at least threshold distinct roles within one window: ordinary users have one or two roles, so a sweep across roles suggests forged assertions (Golden SAML) or a compromised IdP account mapping itself everywhere. One finding per principal, SAML subject, provider, account, region and time window.
-- severity: medium
-- attack_tactic: TA0001 Initial Access
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: assume-role-with-saml-anomaly
-- stratus: -
-- per_event: threshold=1
-- false_positives: Administrators and automation identities entitled to many roles (for example a cloud-platform team in every account); raise the threshold or allow-list their subjects.
-- tags: sts, saml, federation, golden-saml, initial-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 3  Distinct roles one SAML subject assumes in one window that raise a finding
-- param: window interval 1h  Length of the counting window
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       coalesce(responseelements->>'subject', useridentity.username, '') AS saml_subject,
       coalesce(requestparameters->>'principalArn', '') AS saml_provider,
       count(DISTINCT requestparameters->>'roleArn') AS roles,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'roleArn')), ', ') AS role_list,
       count(*) AS assumptions
FROM cloudtrail
WHERE eventsource = 'sts.amazonaws.com'
  AND eventname = 'AssumeRoleWithSAML'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), coalesce(responseelements->>'subject', useridentity.username, ''), coalesce(requestparameters->>'principalArn', ''), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(DISTINCT requestparameters->>'roleArn') >= $threshold
ORDER BY first_seen
