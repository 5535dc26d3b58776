-- title: Route 53 domain transfer lock disabled
-- description: A successful route53domains:DisableDomainTransferLock: with the lock off the registered domain can be transferred to another registrar or account, the first step of a domain hijack that takes over mail, web and certificate validation. One finding per principal, account, region and domain.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098 Account Manipulation
-- catalogue: route53-domain-transfer-lock-disabled
-- stratus: -
-- false_positives: Planned registrar migrations; these are rare and should come with a change ticket.
-- tags: route53, domains, dns, hijack, persistence
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
       count(*) AS calls
FROM cloudtrail
WHERE eventsource = 'route53domains.amazonaws.com'
  AND eventname = 'DisableDomainTransferLock'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, requestparameters->>'domainName'
ORDER BY first_seen
