-- title: Route table modified by a principal new to route changes
-- description: A route table or route was created, replaced, deleted or re-associated by a principal that made no successful route-table change in the preceding lookback window: routing changes can divert traffic through attacker-controlled hosts or open an exfiltration path, and a first-time actor is the unusual case. One finding per principal, account and region.
-- severity: low
-- attack_tactic: TA0005 Defense Evasion
-- attack_technique: T1578.005 Modify Cloud Compute Infrastructure: Modify Cloud Compute Configurations
-- catalogue: route-table-modified
-- stratus: -
-- panther: AWS.EC2.RouteTableModified
-- per_event: lookback=0s
-- false_positives: Network engineers and VPC pipelines making their first change after a quiet period, new automation roles; raise the lookback or allow-list those principals.
-- tags: ec2, route-table, network, first-seen, defense-evasion, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 10d  How far back a principal's earlier route-table change suppresses the finding
WITH changes AS (
    SELECT eventid, eventtime, eventname, sourceipaddress, recipientaccountid, awsregion,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           coalesce(requestparameters->>'routeTableId', requestparameters->>'associationId',
                    json_extract_scalar(responseelements, '$.routeTable.routeTableId'), '') AS route_table
    FROM cloudtrail
    WHERE eventsource = 'ec2.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname IN ('CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRoute', 'DeleteRouteTable', 'DisassociateRouteTable')
      AND errorcode IS NULL
      AND eventtime <= $until
)
SELECT array_agg(c.eventid ORDER BY c.eventtime, c.eventid) AS eventids,
       min(c.eventtime) AS first_seen,
       max(c.eventtime) AS last_seen,
       c.principal AS principal,
       min(c.sourceipaddress) AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT c.eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT c.route_table)), ', ') AS route_tables
FROM changes c
WHERE c.eventtime >= $since
  AND NOT EXISTS (
        SELECT 1
        FROM changes h
        WHERE h.principal = c.principal
          AND h.recipientaccountid = c.recipientaccountid
          AND h.eventtime < c.eventtime
          AND h.eventtime >= c.eventtime - $lookback
      )
GROUP BY c.principal, c.recipientaccountid, c.awsregion
ORDER BY first_seen
