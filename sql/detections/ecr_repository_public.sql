-- title: ECR repository or registry policy grants public or cross-account access
-- description: A successful SetRepositoryPolicy or PutRegistryPolicy whose policy text names Principal "*" (or AWS "*") or an IAM principal of another account: container images (often with baked-in secrets) become pullable from outside the account. One finding per principal, account, region and repository.
-- severity: medium
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: ecr-repository-public
-- stratus: -
-- panther: AWS.CloudTrail.ResourceMadePublic
-- false_positives: Deliberately public images and cross-account pulls by sibling accounts of the same organisation; allow-list those repositories or account ids.
-- tags: ecr, container, resource-policy, public, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'repositoryName', '(registry)') AS repository,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       bool_or(regexp_like(requestparameters->>'policyText', '"Principal"\s*:\s*("\*"|\{[^}]*"AWS"\s*:\s*(\[[^\]]*)?"\*")')) AS public_principal,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'policyText')), ' | ') AS policies
FROM cloudtrail
WHERE eventsource = 'ecr.amazonaws.com'
  AND eventname IN ('SetRepositoryPolicy', 'PutRegistryPolicy')
  AND errorcode IS NULL
  AND (regexp_like(requestparameters->>'policyText', '"Principal"\s*:\s*("\*"|\{[^}]*"AWS"\s*:\s*(\[[^\]]*)?"\*")')
       OR regexp_like(replace(requestparameters->>'policyText', recipientaccountid, ''), 'arn:aws:iam::[0-9]{12}:'))
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
