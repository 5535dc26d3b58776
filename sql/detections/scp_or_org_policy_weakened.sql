-- title: Service control policy or other organization policy weakened
-- description: A successful AWS Organizations DetachPolicy, DeletePolicy, UpdatePolicy that rewrites the policy content, or DisablePolicyType: guardrails enforced on member accounts (service control policies, resource control policies, declarative EC2 policies, tag, backup and AI opt-out policies) are removed or loosened for an organizational unit, an account or the whole organization, often as a step before actions the SCP blocked (leaving the organization, disabling CloudTrail or GuardDuty, using denied regions). Detaching the AWS managed FullAWSAccess policy (p-FullAWSAccess) tightens rather than loosens and is not reported. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1484 Domain or Tenant Policy Modification
-- catalogue: scp-or-org-policy-weakened
-- stratus: -
-- false_positives: Planned guardrail changes by the platform or governance team (usually through infrastructure as code from one pipeline role), and re-structuring of organizational units; allow-list those principals and review the policy content of UpdatePolicy.
-- tags: organizations, scp, rcp, guardrails, defense-evasion, privilege-escalation
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'policyId', requestparameters->>'policyType'))), ', ') AS policies,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'targetId', requestparameters->>'rootId'))), ', ') AS targets,
       bool_or(eventname = 'DisablePolicyType') AS policy_type_disabled
FROM cloudtrail
WHERE eventsource = 'organizations.amazonaws.com'
  AND errorcode IS NULL
  AND ((eventname = 'DetachPolicy' AND coalesce(requestparameters->>'policyId', '') <> 'p-FullAWSAccess')
    OR eventname IN ('DeletePolicy', 'DisablePolicyType')
    OR (eventname = 'UpdatePolicy' AND requestparameters->>'content' IS NOT NULL))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
