-- title: Bedrock guardrail deleted or updated
-- description: A successful DeleteGuardrail, UpdateGuardrail, PutEnforcedGuardrailConfiguration or DeleteEnforcedGuardrailConfiguration: content filters, denied topics or PII redaction guarding model use are removed or possibly weakened (CloudTrail hides the new settings), so abusive prompts pass. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.001 Impair Defenses: Disable or Modify Tools
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- catalogue: bedrock-guardrail-weakened
-- stratus: -
-- panther: AWS.Bedrock.GuardrailUpdateDelete
-- false_positives: Guardrail tuning by the application or AI-platform team and version clean-up; allow-list those principals and compare guardrail versions.
-- tags: bedrock, genai, guardrail, defense-evasion
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(coalesce(requestparameters->>'guardrailIdentifier', requestparameters->>'configId'), ''))), ', ') AS guardrails
FROM cloudtrail
WHERE eventsource = 'bedrock.amazonaws.com'
  AND eventname IN ('DeleteGuardrail', 'UpdateGuardrail', 'PutEnforcedGuardrailConfiguration', 'DeleteEnforcedGuardrailConfiguration')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
