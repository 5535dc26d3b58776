-- title: Security tooling and network controls enumerated
-- description: One principal called at least threshold distinct APIs that describe the account's defences within one window: security groups, network ACLs and flow logs, Network Firewall firewalls and policies, WAF web ACLs, GuardDuty detectors and filters, Security Hub, Macie, Inspector, Detective, Access Analyzer, CloudTrail trails and selectors, AWS Config recorders and rules, SSM managed-instance inventory. Intruders map what is watching and what is blocked before they act (and which of it to switch off). Failed calls count too. Calls made by AWS services are left out. One finding per principal, account, region and window, with the APIs.
-- severity: info
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1518.001 Software Discovery: Security Software Discovery
-- catalogue: security-tooling-discovery
-- stratus: -
-- panther: AWS.Software.Discovery
-- per_event: threshold=1
-- false_positives: CSPM and compliance scanners, security engineers opening the GuardDuty or Security Hub consoles, and infrastructure as code planning a security baseline; allow-list those roles or raise threshold.
-- tags: discovery, security-tooling, enumeration, distinct-count, threshold, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 6  Fewest distinct security-tooling APIs (service and event name) by one principal in one window
-- param: window interval 1h  Width of the time buckets
WITH calls AS (
    SELECT eventid, eventtime, eventsource, eventname, errorcode, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           date_bin($window, eventtime) AS window_start
    FROM cloudtrail
    WHERE ((eventsource = 'ec2.amazonaws.com'
            AND eventname IN ('DescribeSecurityGroups', 'DescribeSecurityGroupRules', 'DescribeNetworkAcls', 'DescribeFlowLogs',
                              'DescribeTrafficMirrorSessions', 'GetEbsEncryptionByDefault', 'DescribeVpcEndpoints'))
        OR (eventsource = 'network-firewall.amazonaws.com'
            AND regexp_like(eventname, '^(List|Describe)'))
        OR (eventsource IN ('wafv2.amazonaws.com', 'waf.amazonaws.com', 'waf-regional.amazonaws.com')
            AND eventname IN ('ListWebACLs', 'GetWebACL', 'GetWebACLForResource', 'ListResourcesForWebACL', 'GetLoggingConfiguration'))
        OR (eventsource = 'guardduty.amazonaws.com'
            AND eventname IN ('ListDetectors', 'GetDetector', 'ListFilters', 'GetFilter', 'ListIPSets', 'ListThreatIntelSets',
                              'ListPublishingDestinations', 'GetAdministratorAccount', 'GetMasterAccount', 'ListMembers'))
        OR (eventsource = 'securityhub.amazonaws.com'
            AND eventname IN ('DescribeHub', 'GetEnabledStandards', 'DescribeStandards', 'DescribeStandardsControls',
                              'ListEnabledProductsForImport', 'GetAdministratorAccount', 'GetFindings', 'GetInsights'))
        OR (eventsource = 'macie2.amazonaws.com' AND eventname IN ('GetMacieSession', 'ListClassificationJobs', 'ListFindingsFilters'))
        OR (eventsource = 'inspector2.amazonaws.com' AND eventname IN ('BatchGetAccountStatus', 'ListCoverage', 'GetConfiguration'))
        OR (eventsource = 'detective.amazonaws.com' AND eventname = 'ListGraphs')
        OR (eventsource = 'access-analyzer.amazonaws.com' AND eventname = 'ListAnalyzers')
        OR (eventsource = 'cloudtrail.amazonaws.com'
            AND eventname IN ('DescribeTrails', 'ListTrails', 'GetTrail', 'GetTrailStatus', 'GetEventSelectors', 'GetInsightSelectors'))
        OR (eventsource = 'config.amazonaws.com'
            AND eventname IN ('DescribeConfigurationRecorders', 'DescribeConfigurationRecorderStatus', 'DescribeDeliveryChannels',
                              'DescribeConfigRules', 'DescribeConformancePacks'))
        OR (eventsource = 'ssm.amazonaws.com' AND eventname = 'DescribeInstanceInformation'))
      AND useridentity.invokedby IS NULL
      AND coalesce(useridentity.type, '') <> 'AWSService'
      AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
      AND eventtime >= $since
      AND eventtime <= $until
),
-- The windows over the threshold, found with cheap aggregates (one row per distinct API
-- first, then a count); only their events are gathered into evidence below.
busy AS (
    SELECT principal, recipientaccountid, awsregion, window_start
    FROM (SELECT DISTINCT principal, recipientaccountid, awsregion, window_start,
                 eventsource || ':' || eventname AS api
          FROM calls) apis
    GROUP BY principal, recipientaccountid, awsregion, window_start
    HAVING count(api) >= $threshold
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       c.principal AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       c.window_start AS window_start,
       count(*) AS calls,
       count(DISTINCT c.eventsource || ':' || c.eventname) AS distinct_apis,
       count(*) FILTER (WHERE c.errorcode IS NOT NULL) AS failed_calls,
       array_to_string(array_sort(array_agg(DISTINCT split_part(c.eventsource, '.', 1) || ':' || c.eventname)), ', ') AS apis
FROM busy b
-- busy first: the small side, which the join holds in memory. IS NOT DISTINCT FROM: a NULL
-- principal, account or region forms a group too.
JOIN calls c
  ON (c.principal IS NOT DISTINCT FROM b.principal)
 AND (c.recipientaccountid IS NOT DISTINCT FROM b.recipientaccountid)
 AND (c.awsregion IS NOT DISTINCT FROM b.awsregion)
 AND (c.window_start IS NOT DISTINCT FROM b.window_start)
GROUP BY c.principal, c.recipientaccountid, c.awsregion, c.window_start
-- Always true after the join; kept so that findings with the same first_seen keep their order.
HAVING count(DISTINCT c.eventsource || ':' || c.eventname) >= $threshold
ORDER BY first_seen
