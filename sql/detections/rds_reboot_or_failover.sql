-- title: RDS database rebooted or failed over by hand
-- description: A successful rds RebootDBInstance, RebootDBCluster, RebootDBShardGroup, FailoverDBCluster or FailoverGlobalCluster: the database is briefly unavailable (an outage an attacker can cause on demand), and reboots also apply pending parameter-group changes such as a new master password or disabled logging. One finding per principal, account and region, with the databases and whether a failover was forced.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1499 Endpoint Denial of Service
-- catalogue: rds-reboot-or-failover
-- stratus: -
-- panther: AWS.RDS.InstanceRebooted, AWS.RDS.ClusterFailover
-- false_positives: Maintenance by database administrators, failover tests and DR drills, and automation applying parameter changes; allow-list those principals.
-- tags: rds, availability, impact
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'dBInstanceIdentifier',
                                                   requestparameters->>'dBClusterIdentifier',
                                                   requestparameters->>'globalClusterIdentifier',
                                                   requestparameters->>'dBShardGroupIdentifier', ''))), ', ') AS databases,
       bool_or(eventname LIKE 'Failover%' OR lower(coalesce(requestparameters->>'forceFailover', 'false')) = 'true') AS failover
FROM cloudtrail
WHERE eventsource = 'rds.amazonaws.com'
  AND eventname IN ('RebootDBInstance', 'RebootDBCluster', 'RebootDBShardGroup', 'FailoverDBCluster', 'FailoverGlobalCluster')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
