-- title: Newly created access key used soon afterwards
-- description: A successful iam:CreateAccessKey whose new key id then signs API calls within the window: a self-created or backdoor key going live, the hand-over from persistence to use. One finding per creating principal, account, region and key.
-- severity: medium
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098.001 Account Manipulation: Additional Cloud Credentials
-- catalogue: new-key-then-used
-- stratus: -
-- panther: AWS.Privilege.Escalation.Via.User.Compromise.Group
-- false_positives: Routine key rotation by users or secrets-rotation automation, where the new key is used right away by design; allow-list rotation principals.
-- tags: iam, access-key, persistence, sequence
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: window interval 24h  Longest gap between the key's creation and its first use
WITH created AS (
    SELECT eventid, eventtime,
           coalesce(useridentity.arn, useridentity.type) AS principal,
           sourceipaddress, recipientaccountid, awsregion,
           json_extract_scalar(responseelements, '$.accessKey.accessKeyId') AS key_id,
           json_extract_scalar(responseelements, '$.accessKey.userName') AS key_user
    FROM cloudtrail
    WHERE eventsource = 'iam.amazonaws.com'
      AND eventname = 'CreateAccessKey'
      AND errorcode IS NULL
      AND eventtime >= $since
      AND eventtime <= $until
),
used AS (
    SELECT eventid, eventtime, eventname, sourceipaddress, useridentity.accesskeyid AS key_id
    FROM cloudtrail
    WHERE useridentity.accesskeyid IS NOT NULL
      AND eventtime >= $since
)
SELECT array_prepend(c.eventid, array_agg(u.eventid ORDER BY u.eventtime, u.eventid)) AS eventids,
       c.eventtime AS first_seen,
       max(u.eventtime) AS last_seen,
       c.principal AS principal,
       c.sourceipaddress AS sourceip,
       c.recipientaccountid AS account,
       c.awsregion AS region,
       c.key_id AS access_key_id,
       c.key_user AS key_user,
       count(*) AS uses,
       array_to_string(array_sort(array_agg(DISTINCT u.eventname)), ', ') AS used_for,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(u.sourceipaddress, ''))), ', ') AS use_ips
FROM created c
JOIN used u
  ON u.key_id = c.key_id
 AND u.eventtime > c.eventtime
 AND u.eventtime <= c.eventtime + $window
WHERE c.key_id IS NOT NULL
GROUP BY c.eventid, c.eventtime, c.principal, c.sourceipaddress, c.recipientaccountid, c.awsregion, c.key_id, c.key_user
ORDER BY first_seen
