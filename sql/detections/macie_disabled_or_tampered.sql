-- title: Macie disabled or findings suppressed
-- description: Amazon Macie was disabled (DisableMacie, DisableOrganizationAdminAccount) or a burst of at least threshold successful tampering calls (ArchiveFindings, findings filters, session, member or classification-job changes) came from one principal within a window: sensitive-data discovery stops or its findings are hidden. One finding per principal, account, region and window.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: macie-disabled-or-tampered
-- stratus: -
-- panther: AWS.Macie.Evasion
-- per_event: threshold=1
-- false_positives: Analysts bulk-archiving reviewed findings and organisation-wide Macie reconfiguration; allow-list those principals or raise threshold.
-- tags: macie, data-security, findings, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 5  Fewest tampering calls per principal within one window (DisableMacie and DisableOrganizationAdminAccount always report)
-- param: window interval 1h  Length of the counting window
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions
FROM cloudtrail
WHERE eventsource = 'macie2.amazonaws.com'
  AND eventname IN ('DisableMacie', 'UpdateMacieSession', 'ArchiveFindings', 'CreateFindingsFilter', 'UpdateFindingsFilter',
                    'DisassociateMember', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount', 'DeleteMember',
                    'DisableOrganizationAdminAccount', 'UpdateClassificationJob')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, date_bin($window, eventtime)
HAVING count(*) >= $threshold
    OR bool_or(eventname IN ('DisableMacie', 'DisableOrganizationAdminAccount'))
ORDER BY first_seen
