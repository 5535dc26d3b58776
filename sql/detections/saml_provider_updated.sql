-- title: IAM SAML identity provider metadata updated
-- description: The metadata of an IAM SAML identity provider was replaced: swapping in an attacker's signing certificate is the set-up for Golden SAML, forging assertions for any role that trusts the provider. One finding per principal, account, region and provider.
-- severity: medium
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1484.002 Domain or Tenant Policy Modification: Trust Modification
-- catalogue: saml-provider-updated
-- stratus: -
-- panther: AWS.Suspicious.SAML.Activity
-- false_positives: Scheduled IdP signing-certificate rotation; compare the new certificate with the one the identity team published.
-- tags: iam, saml, federation, identity-provider, privilege-escalation, persistence
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
  AND eventname = 'UpdateSAMLProvider'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
