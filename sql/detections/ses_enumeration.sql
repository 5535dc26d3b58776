-- title: SES enumeration: sending status, quota and identities probed
-- description: One principal called at least threshold distinct Amazon SES reconnaissance APIs within one window (v1 GetAccountSendingEnabled, GetSendQuota, GetSendStatistics, ListIdentities, GetIdentityVerificationAttributes, ListVerifiedEmailAddresses, GetIdentityDkimAttributes; v2 GetAccount, ListEmailIdentities, GetEmailIdentity): the check attackers with stolen keys run to see whether the account can send mail, how much, and from which verified domains, before using it for phishing or spam. Failed calls count too. Calls made by AWS services (Trusted Advisor, Config) are left out. One finding per principal, account, region and window.
-- severity: low
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1580 Cloud Infrastructure Discovery
-- catalogue: ses-enumeration
-- stratus: aws.discovery.ses-enumerate
-- panther: AWS.CloudTrail.SES.CheckSESSendingEnabled, AWS.CloudTrail.SES.CheckSendQuota, AWS.CloudTrail.SES.ListIdentities, AWS.CloudTrail.SES.CheckIdentityVerifications, AWS.CloudTrail.SES.SESEnumeration
-- per_event: threshold=1
-- false_positives: Administrators opening the SES console (it loads the account, quota and identity list together) and mail-platform health checks; allow-list those principals, or keep the findings from long-lived access keys and unusual source addresses.
-- tags: ses, email, discovery, enumeration, distinct-count, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 3  Fewest distinct SES reconnaissance APIs by one principal in one window
-- param: window interval 1h  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS calls,
       count(DISTINCT eventname) AS distinct_apis,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS failed_calls,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS apis,
       min(useridentity.accesskeyid) AS access_key
FROM cloudtrail
WHERE eventsource = 'ses.amazonaws.com'
  AND eventname IN ('GetAccountSendingEnabled', 'GetSendQuota', 'GetSendStatistics', 'ListIdentities',
                    'GetIdentityVerificationAttributes', 'ListVerifiedEmailAddresses', 'GetIdentityDkimAttributes',
                    'GetAccount', 'ListEmailIdentities', 'GetEmailIdentity')
  AND useridentity.invokedby IS NULL
  AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(DISTINCT eventname) >= $threshold
ORDER BY first_seen
