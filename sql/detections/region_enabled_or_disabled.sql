-- title: Opt-in region enabled or disabled
-- description: An opt-in AWS region was enabled (EnableRegion) or disabled (DisableRegion) for the account: attackers enable regions nobody watches to run resources out of sight, and disabling one can hide what is already there. Matched on the event name alone: only the Account Management API (account.amazonaws.com) has these operations, so the event source adds nothing, and a record whose eventSource is missing or wrong is still caught. One finding per principal, account, region and target region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1535 Unused/Unsupported Cloud Regions
-- catalogue: region-enabled-or-disabled
-- stratus: -
-- panther: AWS.CloudTrail.EnableRegion
-- false_positives: Planned expansion into a new region by the platform team; confirm with them.
-- tags: account, region, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'RegionName', requestparameters->>'regionName', '') AS target_region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       count(*) AS calls
FROM cloudtrail
WHERE eventname IN ('EnableRegion', 'DisableRegion')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
