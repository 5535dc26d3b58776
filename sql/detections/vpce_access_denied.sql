-- title: Request denied by a VPC endpoint policy
-- description: A CloudTrail network activity event (eventType AwsVpceEvent) with errorCode VpceAccessDenied: a principal tried to reach an AWS service through a VPC endpoint whose policy does not allow it, often a stolen credential used from inside the network against buckets, keys or secrets of another account, or data being pushed out through the endpoint. One finding per principal (and calling account), account, region and endpoint, with the services and calls refused.
-- severity: medium
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1526 Cloud Service Discovery
-- catalogue: vpce-access-denied
-- stratus: -
-- panther: AWS.CloudTrail.VPCE.AccessDenied
-- false_positives: Endpoint policies being tightened while workloads still call what they used to, and misconfigured applications; many refusals by one application role point to configuration rather than an attack.
-- tags: vpc-endpoint, network-activity, access-denied, discovery
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       vpcendpointid AS vpc_endpoint,
       useridentity.accountid AS caller_account,
       count(*) AS denied,
       array_to_string(array_sort(array_agg(DISTINCT eventsource)), ', ') AS services,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS calls
FROM cloudtrail
WHERE eventtype = 'AwsVpceEvent'
  AND errorcode = 'VpceAccessDenied'
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), useridentity.accountid, recipientaccountid, awsregion, vpcendpointid
ORDER BY first_seen
