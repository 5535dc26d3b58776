-- title: Internet or customer gateway created, attached, detached or deleted
-- description: A successful ec2 Create, Delete, Attach or DetachInternetGateway, or Create or DeleteCustomerGateway: attaching an internet gateway gives a private VPC a path to the internet (for exfiltration or inbound access) and a new customer gateway is the start of a VPN into someone else's network, while deleting or detaching one cuts connectivity. One finding per principal, account and region, with the gateways and VPCs.
-- severity: info
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- sigma_technique: T1686 (ATT&CK v19: Disable or Modify System Firewall)
-- catalogue: network-gateway-modified
-- stratus: -
-- panther: AWS.EC2.GatewayModified
-- false_positives: Network changes by the platform team and infrastructure as code that builds or tears down VPCs; allow-list those principals.
-- tags: ec2, vpc, network, gateway, defense-evasion, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(*) AS changes,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'internetGatewayId', requestparameters->>'customerGatewayId',
                                                   json_extract_scalar(responseelements, '$.internetGateway.internetGatewayId'),
                                                   json_extract_scalar(responseelements, '$.customerGateway.customerGatewayId'), ''))), ', ') AS gateways,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'vpcId', ''))), ', ') AS vpcs
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateInternetGateway', 'DeleteInternetGateway', 'AttachInternetGateway', 'DetachInternetGateway',
                    'CreateCustomerGateway', 'DeleteCustomerGateway')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
