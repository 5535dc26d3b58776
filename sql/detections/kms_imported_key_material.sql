-- title: KMS key material imported or deleted
-- description: A successful kms ImportKeyMaterial or DeleteImportedKeyMaterial: with bring-your-own-key an attacker can encrypt data under material only they hold and then delete it (or let it expire), making the data unrecoverable. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0040 Impact
-- attack_technique: T1486 Data Encrypted for Impact
-- catalogue: kms-imported-key-material
-- stratus: -
-- false_positives: Organisations that really use BYOK import and rotate key material on a schedule; allow-list those principals and keys.
-- tags: kms, byok, encryption, ransomware, impact
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'keyId', ''))), ', ') AS keys,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'expirationModel', ''))), ', ') AS expiration_models
FROM cloudtrail
WHERE eventsource = 'kms.amazonaws.com'
  AND eventname IN ('ImportKeyMaterial', 'DeleteImportedKeyMaterial')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
