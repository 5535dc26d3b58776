-- title: Root user activity
-- description: A successful, non-read-only call or console sign-in made directly by the account root user (not on behalf of an AWS service): day-to-day work should never use root, so root writes point to credential misuse or a bypass of IAM controls. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1078.004 Valid Accounts: Cloud Accounts
-- catalogue: root-activity
-- stratus: -
-- panther: AWS.Root.Activity
-- false_positives: Root-only account administration (billing, support plan, account closure, MFA reset); CreateServiceLinkedRole issued by services for root is excluded.
-- tags: root, iam, privilege-escalation
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
       count(*) AS events
FROM cloudtrail
WHERE useridentity.type = 'Root'
  AND useridentity.invokedby IS NULL
  AND coalesce(eventtype, '') <> 'AwsServiceEvent'
  AND coalesce(readonly, false) = false
  AND eventname <> 'CreateServiceLinkedRole'
  AND errorcode IS NULL
  AND coalesce(responseelements->>'ConsoleLogin', '') <> 'Failure'
  AND errormessage IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
