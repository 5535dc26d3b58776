-- title: Route 53 domain transferred to another AWS account
-- description: A successful route53domains:TransferDomainToAnotherAwsAccount: the registered domain is handed to another account, which then controls its DNS, mail and certificate validation; a stealthy hijack or takeover. One finding per principal, account, region and domain, with the receiving account.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098 Account Manipulation
-- catalogue: route53-domain-transferred
-- stratus: -
-- false_positives: Domain consolidation between an organisation's own accounts; confirm the receiving account belongs to the organisation.
-- tags: route53, domains, dns, hijack, persistence, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'domainName' AS domain,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'accountId', ''))), ', ') AS to_accounts,
       count(*) AS calls
FROM cloudtrail
WHERE eventsource = 'route53domains.amazonaws.com'
  AND eventname = 'TransferDomainToAnotherAwsAccount'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'domainName'
ORDER BY first_seen
