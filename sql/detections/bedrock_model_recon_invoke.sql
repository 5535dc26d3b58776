-- title: Bedrock model reconnaissance followed by model invocation (LLMjacking)
-- description: A principal enumerated Bedrock foundation models or their availability and agreements (ListFoundationModels, GetFoundationModel, GetFoundationModelAvailability, ListFoundationModelAgreementOffers...) and then invoked a model (InvokeModel, Converse, streaming variants) within the window: the pattern of stolen keys used to resell or abuse generative AI capacity. Failed calls are kept because denied probes are part of the pattern. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0040 Impact
-- attack_technique: T1496 Resource Hijacking
-- catalogue: bedrock-model-recon-invoke
-- stratus: aws.impact.bedrock-invoke-model
-- false_positives: Developers trying out models in a new account, and applications that check model availability before calling it; allow-list those roles.
-- tags: bedrock, genai, llmjacking, discovery, impact, sequence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: window interval 1h  Longest time from a reconnaissance call to an invocation
WITH ev AS (
    SELECT eventid, eventtime, eventname, errorcode, sourceipaddress, recipientaccountid, awsregion, requestparameters,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           CASE WHEN eventname IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream') THEN 'invoke'
                ELSE 'recon' END AS kind
    FROM cloudtrail
    WHERE eventsource = 'bedrock.amazonaws.com'
      AND eventname IN ('ListFoundationModels', 'GetFoundationModel', 'GetFoundationModelAvailability',
                        'ListFoundationModelAgreementOffers', 'ListInferenceProfiles', 'GetUseCaseForModelAccess',
                        'InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream')
      AND eventtime >= $since
      AND eventtime <= $until
),
hits AS (
    SELECT r.* FROM ev r
    WHERE r.kind = 'recon'
      AND EXISTS (SELECT 1 FROM ev i
                  WHERE i.kind = 'invoke' AND i.principal = r.principal AND i.recipientaccountid = r.recipientaccountid
                    AND i.eventtime >= r.eventtime AND i.eventtime <= r.eventtime + $window)
    UNION ALL
    SELECT i.* FROM ev i
    WHERE i.kind = 'invoke'
      AND EXISTS (SELECT 1 FROM ev r
                  WHERE r.kind = 'recon' AND r.principal = i.principal AND r.recipientaccountid = i.recipientaccountid
                    AND r.eventtime <= i.eventtime AND r.eventtime >= i.eventtime - $window)
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       sum(CASE WHEN kind = 'recon' THEN 1 ELSE 0 END) AS recon_calls,
       sum(CASE WHEN kind = 'invoke' THEN 1 ELSE 0 END) AS invocations,
       sum(CASE WHEN errorcode IS NULL THEN 0 ELSE 1 END) AS failures,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'modelId', ''))), ', ') AS models
FROM hits
GROUP BY principal, recipientaccountid, awsregion
ORDER BY first_seen
