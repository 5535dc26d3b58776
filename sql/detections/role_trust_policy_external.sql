-- title: Role trust policy opened to an external account or everyone
-- description: A successful UpdateAssumeRolePolicy whose new trust policy lets an AWS principal from another account, or any principal ("*"), assume the role: a backdoor that survives the removal of the attacker's own credentials. One finding per principal, account, region and role.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.003 Account Manipulation: Additional Cloud Roles
-- catalogue: role-trust-policy-external
-- stratus: aws.persistence.iam-backdoor-role
-- panther: AWS.IAM.BackdoorRole
-- false_positives: Legitimate cross-account access for partner, vendor or sibling organization accounts (the account ids in external_principals tell them apart); allow-list known accounts.
-- tags: iam, role, trust-policy, cross-account, persistence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
WITH trust AS (
  SELECT eventid, eventtime, useridentity, sourceipaddress, recipientaccountid, awsregion,
         requestparameters->>'roleName' AS role,
         requestparameters->>'policyDocument' AS doc,
         -- the document with the account's own ARNs and bare account id masked out
         regexp_replace(
           regexp_replace(coalesce(requestparameters->>'policyDocument', ''),
                          'arn:aws[a-z-]*:(iam|sts)::' || recipientaccountid || ':', 'arn:self:', 'g'),
           '"' || recipientaccountid || '"', '"self"', 'g') AS masked
  FROM cloudtrail
  WHERE eventsource = 'iam.amazonaws.com'
    AND eventname = 'UpdateAssumeRolePolicy'
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
       role,
       count(*) AS updates,
       array_to_string(array_sort(array_agg(DISTINCT trim(regexp_replace(regexp_replace(masked,
           '(?s).*?(?:(arn:aws[a-z-]*:(?:iam|sts)::[0-9]{12}:[^"]*)|"([0-9]{12})"|"(\*)")|(?s).+', '${1}${2}${3} ', 'g'),
           '\s+', ' ', 'g')))), ', ') AS external_principals,
       array_to_string(array_sort(array_agg(DISTINCT doc)), ' | ') AS policy_documents
FROM trust
WHERE regexp_like(masked, 'arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:')
   OR regexp_like(masked, '"AWS"\s*:\s*(\[[^\]]*)?"[0-9]{12}"')
   OR regexp_like(masked, '"AWS"\s*:\s*(\[[^\]]*)?"\*"')
   OR regexp_like(masked, '"Principal"\s*:\s*"\*"')
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, role
ORDER BY first_seen
