-- title: CloudTrail event selectors exclude or narrow management events
-- description: A successful PutEventSelectors or PutAdvancedEventSelectors left a trail without management events, or narrowed them (read-only or write-only, excluded event sources): the trail keeps running but stops recording the API calls an attacker makes. One finding per principal, account, region and trail.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: cloudtrail-event-selectors-disabled
-- stratus: aws.defense-evasion.cloudtrail-event-selectors
-- panther: AWS.CloudTrail.EventSelectorsDisabled
-- false_positives: Data-event-only trails kept beside a management-event trail, and cost tuning that excludes AWS KMS or RDS Data API events; allow-list those trails or principals.
-- tags: cloudtrail, logging, event-selectors, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
WITH selectors AS (
  SELECT eventid, eventtime, eventname, useridentity, sourceipaddress, recipientaccountid, awsregion,
         requestparameters->>'trailName' AS trail,
         CASE
           WHEN eventname = 'PutEventSelectors'
                AND regexp_like(requestparameters, '"includeManagementEvents"\s*:\s*false')
                AND NOT regexp_like(requestparameters, '"includeManagementEvents"\s*:\s*true')
             THEN 'management events excluded'
           WHEN eventname = 'PutEventSelectors'
                AND regexp_like(requestparameters, '"readWriteType"\s*:\s*"(ReadOnly|WriteOnly)"')
             THEN 'management events narrowed (readWriteType)'
           WHEN eventname = 'PutEventSelectors'
                AND regexp_like(requestparameters, '"excludeManagementEventSources"\s*:\s*\[\s*"')
             THEN 'management event sources excluded'
           WHEN eventname = 'PutAdvancedEventSelectors'
                AND NOT regexp_like(requestparameters, '"Management"')
             THEN 'management events excluded'
           WHEN eventname = 'PutAdvancedEventSelectors'
                AND regexp_like(regexp_replace(requestparameters, '"fieldSelectors"', '§', 'g'),
                                '"Management"[^§]*"field"\s*:\s*"(readOnly|eventSource)"|"field"\s*:\s*"(readOnly|eventSource)"[^§]*"Management"')
             THEN 'management events narrowed (readOnly/eventSource field)'
         END AS reason
  FROM cloudtrail
  WHERE eventsource = 'cloudtrail.amazonaws.com'
    AND eventname IN ('PutEventSelectors', 'PutAdvancedEventSelectors')
    AND errorcode IS NULL
    AND eventtime >= $since
    AND eventtime <= $until
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       trail,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT reason)), ', ') AS reasons
FROM selectors
WHERE reason IS NOT NULL
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, trail
ORDER BY first_seen
