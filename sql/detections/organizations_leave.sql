-- title: Account attempted to leave its AWS Organization
-- description: A LeaveOrganization call (or RemoveAccountFromOrganization from the management account), successful or denied: leaving the organization drops its SCPs, organization trail and central security tooling, so even a denied attempt shows intent. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1666 Modify Cloud Resource Hierarchy
-- catalogue: organizations-leave
-- stratus: aws.defense-evasion.organizations-leave
-- panther: AWS.CloudTrail.AttemptToLeaveOrg
-- false_positives: Planned account migrations between organizations and account closure processes; confirm with the organization owners.
-- tags: organizations, scp, defense-evasion
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
       count(*) AS attempts,
       sum(CASE WHEN errorcode IS NULL THEN 1 ELSE 0 END) AS succeeded,
       array_to_string(array_sort(array_agg(DISTINCT errorcode)), ', ') AS errors,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'accountId')), ', ') AS removed_accounts
FROM cloudtrail
WHERE eventsource = 'organizations.amazonaws.com'
  AND eventname IN ('LeaveOrganization', 'RemoveAccountFromOrganization')
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
