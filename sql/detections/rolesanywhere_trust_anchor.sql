-- title: IAM Roles Anywhere trust anchor created or its CA replaced
-- description: CreateTrustAnchor (or UpdateTrustAnchor with a new source) registered a certificate authority whose certificates can then obtain role credentials from outside AWS: long-lived access that no IAM access key list shows. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.003 Account Manipulation: Additional Cloud Roles
-- catalogue: rolesanywhere-trust-anchor
-- stratus: aws.persistence.rolesanywhere-create-trust-anchor
-- false_positives: Onboarding of on-premises workloads or a corporate PKI to Roles Anywhere; rare, so review each one.
-- tags: rolesanywhere, iam, pki, persistence
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'name', requestparameters->>'trustAnchorId', ''))), ', ') AS trust_anchors,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.source.sourceType'), ''))), ', ') AS source_types
FROM cloudtrail
WHERE eventsource = 'rolesanywhere.amazonaws.com'
  AND (eventname = 'CreateTrustAnchor'
       OR (eventname = 'UpdateTrustAnchor' AND json_extract(requestparameters, '$.source') IS NOT NULL))
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
