-- title: CloudTrail log files modified or deleted after delivery
-- description: Log file integrity validation (trawl convert --verify, trawl verify) found a delivered log file whose content no longer matches its digest, a log file or digest the chain lists that is gone, a digest whose signature does not verify, or a digest chain broken after its start. Someone with write access to the trail bucket has altered the evidence. The evidence ids are the affected objects' URIs, not event ids. One finding per account, region and kind of problem.
-- severity: critical
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1070 Indicator Removal
-- false_positives: A log file rewritten by a tool (recompressed, reformatted) in a copy of the archive; a lifecycle rule that expires log files but not their digests (the verdict says which files). Verify against the trail bucket itself before concluding.
-- tags: cloudtrail, logging, integrity, defense-evasion
-- param: since timestamp 1970-01-01  Earliest delivery time of the affected files
-- param: until timestamp 2100-01-01  Latest delivery time of the affected files
WITH problems AS (
    SELECT sourceobject AS object,
           account,
           region,
           CASE
               WHEN status = 'invalid' AND kind = 'digest' THEN 'digest_invalid'
               WHEN status = 'invalid' THEN 'log_modified'
               WHEN kind = 'digest' THEN 'digest_deleted'
               ELSE 'log_deleted'
           END AS problem,
           file_time,
           detail
    FROM log_files
    WHERE status IN ('invalid', 'not_found')
    UNION ALL
    SELECT missing AS object,
           account,
           region,
           'chain_break' AS problem,
           period_end AS file_time,
           detail
    FROM log_chains
    WHERE kind = 'chain_break' AND NOT at_start AND missing IS NOT NULL
)
SELECT array_agg(object ORDER BY file_time, object) AS eventids,
       min(file_time) AS first_seen,
       max(file_time) AS last_seen,
       CAST(NULL AS VARCHAR) AS principal,
       CAST(NULL AS VARCHAR) AS sourceip,
       account,
       region,
       problem,
       count(*) AS objects,
       min(detail) AS example
FROM problems
WHERE coalesce(file_time, $since) >= $since
  AND coalesce(file_time, $until) <= $until
GROUP BY account, region, problem
ORDER BY first_seen
