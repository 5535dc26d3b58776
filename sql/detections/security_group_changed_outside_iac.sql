-- title: Security group changed outside infrastructure as code by a principal new to it
-- description: A successful security group change (create, delete, authorize, revoke or modify ingress or egress rules) whose user agent is not an infrastructure-as-code tool (Terraform, CloudFormation, Pulumi), made by a principal that made no such hand-made change in the lookback period before: in estates managed as code, firewall changes from the console, the CLI or ad-hoc scripts are drift nobody reviewed, and the way an intruder with console or key access opens a path in or out. The user agent is set by the client and can be forged to look like Terraform, so security_group_modified still reports every change. Calls an AWS service makes on a principal's behalf are left out. One finding per principal, account and region, with the user agents.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: security-group-modified
-- stratus: -
-- panther: AWS.EC2.ManualSecurityGroupChange
-- per_event: lookback=0s
-- false_positives: Estates not managed as code, break-glass fixes during incidents, and controllers that manage their own groups with an SDK (EKS, ELB, Kubernetes operators); allow-list those roles. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: ec2, security-group, network, drift, first-seen, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 14d  History searched for an earlier hand-made change by the same principal; also the learning period at the start of the data
WITH changes AS (
    SELECT eventid, eventtime, eventname, sourceipaddress, useragent, recipientaccountid, awsregion, requestparameters, responseelements,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           lag(eventtime) OVER (PARTITION BY coalesce(useridentity.arn, useridentity.type), recipientaccountid
                                ORDER BY eventtime, eventid) AS previous_time
    FROM cloudtrail
    WHERE eventsource = 'ec2.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress',
                        'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
                        'CreateSecurityGroup', 'DeleteSecurityGroup', 'ModifySecurityGroupRules')
      AND errorcode IS NULL
      AND useridentity.invokedby IS NULL
      AND coalesce(useragent_family(useragent), 'other') NOT IN ('terraform', 'cloudformation', 'aws-service')
      AND NOT regexp_like(lower(coalesce(useragent, '')), 'pulumi')
      AND eventtime <= $until
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       c.principal AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       min(c.previous_time) AS previous_time,
       count(*) AS changes,
       array_to_string(array_sort(array_agg(DISTINCT c.eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(c.requestparameters->>'groupId', c.requestparameters->>'groupName',
                                                   json_extract_scalar(c.requestparameters, '$.ModifySecurityGroupRulesRequest.GroupId'),
                                                   c.responseelements->>'groupId', ''))), ', ') AS groups,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(useragent_family(c.useragent), 'other'))), ', ') AS client_families,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(c.useragent, ''))), ', ') AS user_agents
FROM changes c
WHERE c.eventtime >= $since
  AND c.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND (c.previous_time IS NULL OR c.previous_time < c.eventtime - $lookback)
GROUP BY c.principal, c.recipientaccountid, c.awsregion
ORDER BY first_seen
