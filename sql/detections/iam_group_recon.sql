-- title: IAM group and group-policy enumeration
-- description: Several successful IAM group read calls (ListGroups, GetGroup, GetGroupPolicy, ListGroupPolicies, ListAttachedGroupPolicies, ListGroupsForUser, ListEntitiesForPolicy) by one principal within a time bucket: mapping which groups grant which permissions, to find an escalation path. One finding per principal, account, region and window.
-- severity: info
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1069.003 Permission Groups Discovery: Cloud Groups
-- catalogue: iam-group-recon
-- stratus: -
-- panther: AWS.IAM.Group.Read.Only.Events
-- per_event: threshold=1
-- false_positives: IAM console browsing, access reviews and identity-governance tools; allow-list their roles or raise the threshold.
-- tags: iam, group, discovery, threshold, audit
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 2  Fewest group read calls in one window to report
-- param: window interval 1h  Width of the time buckets
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       date_bin($window, eventtime) AS window_start,
       count(*) AS calls,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'groupName', requestparameters->>'userName', requestparameters->>'policyArn', ''))), ', ') AS targets
FROM cloudtrail
WHERE eventsource = 'iam.amazonaws.com'
  AND eventname IN ('ListGroups', 'GetGroup', 'GetGroupPolicy', 'ListGroupPolicies', 'ListAttachedGroupPolicies',
                    'ListGroupsForUser', 'ListEntitiesForPolicy')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
HAVING count(*) >= $threshold
ORDER BY first_seen
