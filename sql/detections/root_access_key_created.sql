-- title: Access key created for the root user
-- description: A successful iam:CreateAccessKey made by the root user for itself (no userName parameter): long-term root credentials are a standing, unrestricted backdoor that AWS advises never to have. One finding per account and region.
-- severity: critical
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.001 Account Manipulation: Additional Cloud Credentials
-- catalogue: root-access-key-created
-- stratus: -
-- panther: AWS.CloudTrail.RootAccessKeyCreated
-- false_positives: Almost none; legacy tooling that still needs root keys should be retired rather than allow-listed.
-- tags: iam, root, access-key, persistence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS keys_created,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(responseelements, '$.accessKey.accessKeyId'), ''))), ', ') AS access_key_ids
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateAccessKey'
  AND useridentity.type = 'Root'
  AND requestparameters->>'userName' IS NULL
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
