-- title: Route 53 Resolver query logging deleted or detached
-- description: A Route 53 Resolver query logging configuration was deleted (DeleteResolverQueryLogConfig) or detached from a VPC (DisassociateResolverQueryLogConfig) and the call succeeded: DNS queries from the VPCs stop being logged, which hides DNS exfiltration and C2 lookups. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: dns-query-logging-deleted
-- stratus: aws.defense-evasion.dns-delete-logs
-- panther: AWS.CloudTrail.DNSLogsDeleted
-- false_positives: VPC and logging teardown by infrastructure-as-code pipelines, moving query logging to a new destination; allow-list those principals.
-- tags: route53resolver, dns, logging, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'resolverQueryLogConfigId')), ', ') AS query_log_configs,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'resourceId')), ', ') AS vpcs
FROM cloudtrail
WHERE eventsource = 'route53resolver.amazonaws.com'
  AND eventname IN ('DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
