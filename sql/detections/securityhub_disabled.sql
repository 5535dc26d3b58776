-- title: Security Hub disabled or its standards or integrations turned off
-- description: A successful DisableSecurityHub, BatchDisableStandards, DisableImportFindingsForProduct, DisassociateFromAdministratorAccount (or the older DisassociateFromMasterAccount) or DisableOrganizationAdminAccount: Security Hub stops running its checks, stops ingesting findings from GuardDuty, Inspector or partner products, or the account stops forwarding findings to the central administrator, so the security team loses sight of the account. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: securityhub-disabled
-- stratus: -
-- false_positives: Account decommissioning, moving Security Hub to a new delegated administrator, and retiring a standard or an integration by the cloud security team; allow-list those principals.
-- tags: securityhub, posture, findings, defense-evasion
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
       bool_or(eventname = 'DisableSecurityHub') AS hub_disabled,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract(requestparameters, '$.standardsSubscriptionArns'),
                                                  requestparameters->>'productSubscriptionArn',
                                                  requestparameters->>'adminAccountId'))), ', ') AS targets
FROM cloudtrail
WHERE eventsource = 'securityhub.amazonaws.com'
  AND eventname IN ('DisableSecurityHub', 'BatchDisableStandards', 'DisableImportFindingsForProduct',
                    'DisassociateFromAdministratorAccount', 'DisassociateFromMasterAccount',
                    'DisableOrganizationAdminAccount')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
