-- title: Write activity in a region the account has not used
-- description: Successful write (non-read-only) calls in a region where the account recorded no activity at all during the preceding lookback: attackers launch miners and stage resources in regions nobody monitors. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1535 Unused/Unsupported Cloud Regions
-- catalogue: activity-in-unused-region
-- stratus: -
-- panther: AWS.UnusedRegion
-- per_event: lookback=0s
-- false_positives: Planned expansion into a new region, disaster-recovery tests, global services logging to a new region. The first activity of every region in the data is new by definition, so writes in the first learning period of the data are not reported (set learning=0s to report them); a region used less often than the lookback reports each time.
-- tags: region, first-seen, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 30d  How far back any earlier activity of the account in the region suppresses the finding
-- param: learning interval 1d  Learning period at the start of the data (never longer than lookback): regions first written to in it only build history
WITH activity AS (
    SELECT eventid, eventtime, eventname, eventsource, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           (coalesce(readonly, false) = false
            AND errorcode IS NULL
            AND coalesce(eventtype, '') NOT IN ('AwsServiceEvent', 'AwsCloudTrailInsight')
            AND useridentity.invokedby IS NULL) AS is_write
    FROM cloudtrail
    WHERE eventtime <= $until
      AND eventtime >= $history_from
      AND coalesce(eventcategory, 'Management') <> 'Insight'
),
-- The account's activity in each region in buckets a microsecond wider than the
-- look-back: an event more than the look-back after the account's previous one in the
-- region is the first of its bucket (event times are whole milliseconds, so one before
-- it in the same bucket is at most the look-back before it), and that previous one is
-- the last of the bucket before. So only the first moment of each bucket is compared,
-- with the bucket before: a sort of every distinct moment of the lake was most of the
-- query.
buckets AS (
    SELECT recipientaccountid, awsregion,
           date_bin(CAST($lookback AS INTERVAL) + INTERVAL '1 microsecond', eventtime) AS bucket,
           min(eventtime) AS first_time,
           max(eventtime) AS last_time
    FROM activity
    GROUP BY 1, 2, 3
),
moments AS (
    SELECT recipientaccountid, awsregion, first_time AS eventtime,
           lag(last_time) OVER (PARTITION BY recipientaccountid, awsregion ORDER BY bucket) AS previous_time
    FROM buckets
),
-- The moments after a quiet look-back, before the join: few, so the join holds them.
openings AS (
    SELECT * FROM moments
    WHERE previous_time IS NULL OR previous_time < eventtime - $lookback
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       c.principal AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT c.eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT c.eventsource)), ', ') AS services,
       count(*) AS events
FROM activity c
JOIN openings m
  ON m.recipientaccountid = c.recipientaccountid
 AND m.awsregion = c.awsregion
 AND m.eventtime = c.eventtime
WHERE c.is_write
  AND c.eventtime >= $since
  AND (c.eventtime - $learning >= (SELECT min(eventtime) FROM cloudtrail)
       OR c.eventtime - $lookback >= (SELECT min(eventtime) FROM cloudtrail))
GROUP BY c.principal, c.recipientaccountid, c.awsregion
ORDER BY first_seen, account, region, principal
