-- title: Federation token issued with GetFederationToken
-- description: A successful sts:GetFederationToken: an IAM user minted federated-user credentials that keep working for up to 36 hours even after its access key is disabled, a known persistence trick. One finding per principal, account and region; admin_policy flags an inline policy granting every action or AdministratorAccess.
-- severity: high
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1550.001 Use Alternate Authentication Material: Application Access Token
-- catalogue: sts-federation-token
-- stratus: aws.persistence.sts-federation-token
-- false_positives: Legacy identity brokers and some third-party tools that vend console or API sessions through GetFederationToken; allow-list those users.
-- tags: sts, federation, credentials, persistence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS tokens,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'name', ''))), ', ') AS federated_names,
       bool_or(strpos(coalesce(requestparameters, ''), 'AdministratorAccess') > 0
               OR regexp_like(coalesce(requestparameters->>'policy', ''), '"Action"\s*:\s*(\[\s*)?"\*"')) AS admin_policy
FROM cloudtrail
WHERE eventsource = 'sts.amazonaws.com'
  AND eventname = 'GetFederationToken'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
