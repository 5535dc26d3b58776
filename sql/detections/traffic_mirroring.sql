-- title: VPC traffic mirroring configured
-- description: A traffic mirror session, target, filter or filter rule was created, modified or deleted, or such a call was attempted and failed (a failed CreateTrafficMirrorSession, e.g. on an unsupported interface, still shows a principal setting up packet capture): traffic mirroring copies full packets from an ENI to another host, which an attacker can use to capture credentials and data in transit. One finding per principal, account and region; failed and errors tell attempts from changes.
-- severity: medium
-- attack_tactic: TA0009 Collection
-- attack_technique: T1040 Network Sniffing
-- catalogue: traffic-mirroring
-- stratus: -
-- panther: AWS.EC2.Traffic.Mirroring
-- false_positives: Network monitoring and IDS appliances (for example a security team's packet-capture pipeline); allow-list those principals.
-- tags: ec2, traffic-mirroring, network, packet-capture, collection, exfiltration
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
       count(*) AS changes,
       count(errorcode) AS failed,
       array_to_string(array_sort(array_agg(DISTINCT errorcode)), ', ') AS errors
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget', 'CreateTrafficMirrorFilter', 'CreateTrafficMirrorFilterRule',
                    'ModifyTrafficMirrorSession', 'ModifyTrafficMirrorFilterRule', 'ModifyTrafficMirrorFilterNetworkServices',
                    'DeleteTrafficMirrorSession', 'DeleteTrafficMirrorTarget', 'DeleteTrafficMirrorFilter', 'DeleteTrafficMirrorFilterRule')
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
