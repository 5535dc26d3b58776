-- title: WAF web ACL disassociated from a resource
-- description: A successful DisassociateWebACL (wafv2, or classic waf-regional): the load balancer, API Gateway stage, AppSync API or other resource is left with no web application firewall in front of it, exposing it to the injection, bot and exploit traffic the rules were blocking. One finding per principal, account and region, with the resources.
-- severity: critical
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: waf-disassociated
-- stratus: -
-- panther: AWS.WAF.Disassociation
-- false_positives: Moving a resource to a new web ACL (disassociate then associate), and tearing down resources or stacks with infrastructure as code; check for an AssociateWebACL right after.
-- tags: waf, firewall, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS disassociations,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'resourceArn', requestparameters->>'ResourceArn', ''))), ', ') AS resources,
       array_to_string(array_sort(array_agg(DISTINCT eventsource)), ', ') AS services
FROM cloudtrail
WHERE eventsource IN ('wafv2.amazonaws.com', 'waf-regional.amazonaws.com')
  AND eventname = 'DisassociateWebACL'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
