-- title: IAM SAML identity provider deleted
-- description: An IAM SAML identity provider was deleted: every federated user of that provider loses access at once, which can lock responders out or disrupt the business. One finding per principal, account, region and provider.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1531 Account Access Removal
-- catalogue: saml-provider-deleted
-- stratus: -
-- panther: AWS.Suspicious.SAML.Activity
-- false_positives: Decommissioning of an old identity provider after a migration; confirm with the identity team.
-- tags: iam, saml, federation, identity-provider, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(requestparameters->>'sAMLProviderArn', responseelements->>'sAMLProviderArn', requestparameters->>'name', '') AS provider,
       count(*) AS calls
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname = 'DeleteSAMLProvider'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
