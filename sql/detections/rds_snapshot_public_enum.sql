-- title: RDS snapshots enumerated including public or shared ones
-- description: A successful rds DescribeDBSnapshots or DescribeDBClusterSnapshots with includePublic or includeShared set to true: the caller lists snapshots that other accounts made public or shared with this one, a reconnaissance step for finding data to restore and pull out, or for checking what an attacker already shared in. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1580 Cloud Infrastructure Discovery
-- catalogue: rds-snapshot-public-enum
-- stratus: -
-- panther: AWS.RDS.SnapshotEnumeration
-- false_positives: Console pages and inventory or backup tools that list shared snapshots on purpose; allow-list those principals.
-- tags: rds, snapshot, discovery, reconnaissance
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       bool_or(lower(coalesce(requestparameters->>'includePublic', 'false')) = 'true') AS public_listed,
       bool_or(lower(coalesce(requestparameters->>'includeShared', 'false')) = 'true') AS shared_listed
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('DescribeDBSnapshots', 'DescribeDBClusterSnapshots')
  AND (lower(coalesce(requestparameters->>'includePublic', 'false')) = 'true'
       OR lower(coalesce(requestparameters->>'includeShared', 'false')) = 'true')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
