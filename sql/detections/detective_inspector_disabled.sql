-- title: Amazon Inspector or Detective disabled
-- description: A successful Inspector (v2) Disable, DisableDelegatedAdminAccount or DisassociateMember, or a Detective DeleteGraph, DisassociateMembership, DeleteMembers or DisableOrganizationAdminAccount: vulnerability scanning of instances, images and functions stops, or the behaviour graph investigators rely on is deleted or loses accounts. One finding per principal, account, region and service, with the resource types or graphs affected.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: detective-inspector-disabled
-- stratus: -
-- false_positives: Cost-driven removal of a scan type, account decommissioning and moving Inspector or Detective to a new delegated administrator; allow-list the security team's principals.
-- tags: inspector, detective, vulnerability-scanning, investigation, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       split_part(eventsource, '.', 1) AS service,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract(requestparameters, '$.resourceTypes'),
                                                  requestparameters->>'graphArn',
                                                  requestparameters->>'delegatedAdminAccountId',
                                                  requestparameters->>'accountId'))), ', ') AS targets,
       array_to_string(array_sort(array_agg(DISTINCT json_extract(requestparameters, '$.accountIds'))), ', ') AS member_accounts
FROM cloudtrail
WHERE errorcode IS NULL
  AND ((eventsource = 'inspector2.amazonaws.com'
        AND eventname IN ('Disable', 'DisableDelegatedAdminAccount', 'DisassociateMember'))
    OR (eventsource = 'detective.amazonaws.com'
        AND eventname IN ('DeleteGraph', 'DisassociateMembership', 'DeleteMembers', 'DisableOrganizationAdminAccount')))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
