-- title: WAF web ACL, rule, rule group or logging configuration deleted
-- description: A successful DeleteWebACL, DeleteRule, DeleteRuleGroup or DeleteLoggingConfiguration on WAF Classic, WAF Regional or WAFv2: web-application protections or their request logs are removed, exposing applications and hiding attack traffic. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: waf-acl-or-rules-deleted
-- stratus: -
-- false_positives: Stack teardown and WAF migrations (Classic to WAFv2) by infrastructure-as-code; allow-list those principals.
-- tags: waf, wafv2, firewall, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT eventsource)), ', ') AS services,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(coalesce(requestparameters->>'name', requestparameters->>'webACLId', requestparameters->>'ruleId', requestparameters->>'ruleGroupId', requestparameters->>'resourceArn', requestparameters->>'id'), ''))), ', ') AS resources
FROM cloudtrail
WHERE eventsource IN ('waf.amazonaws.com', 'waf-regional.amazonaws.com', 'wafv2.amazonaws.com')
  AND eventname IN ('DeleteWebACL', 'DeleteRule', 'DeleteRuleGroup', 'DeleteLoggingConfiguration')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
