-- title: Bedrock knowledge base or data source changed by a principal not seen doing so before
-- description: A successful change to a Bedrock knowledge base or its RAG data (Create/Update/DeleteDataSource, Update/DeleteKnowledgeBase, StartIngestionJob, Ingest/DeleteKnowledgeBaseDocuments) by a principal that made no such change in the lookback window: poisoning or destroying the data an AI application answers from. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1565.001 Data Manipulation: Stored Data Manipulation
-- catalogue: bedrock-kb-tampering
-- stratus: -
-- per_event: lookback=0s
-- false_positives: New ML engineers or pipelines setting up a knowledge base; after their first change they are history. Events in the first lookback of the data are treated as the learning period and not reported.
-- tags: bedrock, genai, knowledge-base, rag, impact, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 7d  History searched for an earlier change by the same principal; also the learning period at the start of the data
WITH kb AS (
    SELECT eventid, eventtime, eventname, sourceipaddress, recipientaccountid, awsregion, requestparameters,
           coalesce(useridentity.arn, useridentity.type) AS principal
    FROM cloudtrail
    WHERE eventsource IN ('bedrock.amazonaws.com', 'bedrock-agent.amazonaws.com')
      AND eventtime >= $history_from
      AND eventname IN ('CreateDataSource', 'UpdateDataSource', 'DeleteDataSource', 'UpdateKnowledgeBase', 'DeleteKnowledgeBase',
                        'StartIngestionJob', 'IngestKnowledgeBaseDocuments', 'DeleteKnowledgeBaseDocuments')
      AND errorcode IS NULL
)
SELECT array_agg(k.eventid ORDER BY k.eventtime, k.eventid) AS eventids,
       min(k.eventtime) AS first_seen,
       max(k.eventtime) AS last_seen,
       k.principal AS principal,
       min(k.sourceipaddress) AS sourceip,
       k.recipientaccountid AS account,
       k.awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT k.eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(k.requestparameters->>'knowledgeBaseId', ''))), ', ') AS knowledge_bases
FROM kb k
WHERE k.eventtime >= $since
  AND k.eventtime <= $until
  AND k.eventtime >= (SELECT min(eventtime) FROM cloudtrail) + $lookback
  AND NOT EXISTS (
        SELECT 1 FROM kb h
        WHERE h.principal = k.principal
          AND h.recipientaccountid = k.recipientaccountid
          AND h.eventtime < k.eventtime
          AND h.eventtime >= k.eventtime - $lookback)
GROUP BY k.principal, k.recipientaccountid, k.awsregion
ORDER BY first_seen
