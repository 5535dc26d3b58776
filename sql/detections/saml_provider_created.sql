-- title: IAM SAML identity provider created
-- description: A new IAM SAML identity provider was created: whoever controls its signing key can mint federated sessions into any role that trusts it, a durable backdoor that survives password and key rotation. One finding per principal, account, region and provider.
-- severity: high
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1484.002 Domain or Tenant Policy Modification: Trust Modification
-- catalogue: saml-provider-created
-- stratus: -
-- panther: AWS.Suspicious.SAML.Activity
-- false_positives: Onboarding of a new corporate identity provider or IAM Identity Center set-up; confirm with the identity team.
-- tags: iam, saml, federation, identity-provider, persistence
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
  AND eventname = 'CreateSAMLProvider'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
