-- title: EC2 key pair imported or created by a principal new to key pairs
-- description: A successful ec2:ImportKeyPair or ec2:CreateKeyPair by a principal that made no key pair in the lookback period before: an attacker's own SSH public key, once imported, can be placed on new or relaunched instances for persistent shell access. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0003 Persistence
-- attack_technique: T1098 Account Manipulation
-- catalogue: ec2-keypair-import-or-create
-- stratus: -
-- per_event: lookback=0s
-- false_positives: New engineers and new provisioning pipelines create key pairs once; each shows up once per lookback period, and the first pair seen in the data is always new.
-- tags: ec2, key-pair, ssh, persistence, first-seen
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: history_from timestamp 1970-01-01  Earliest event read as history (when not given: since less the look-back and window)
-- param: lookback interval 10d  How far back an earlier key pair by the same principal makes it familiar
WITH keypairs AS (
    SELECT eventid, eventtime, eventname, coalesce(useridentity.arn, useridentity.type) AS principal,
           sourceipaddress, recipientaccountid, awsregion, requestparameters->>'keyName' AS key_name
    FROM cloudtrail
    WHERE eventsource = 'ec2.amazonaws.com'
      AND eventtime >= $history_from
      AND eventname IN ('ImportKeyPair', 'CreateKeyPair')
      AND errorcode IS NULL
),
new_keypairs AS (
    SELECT k.*
    FROM keypairs k
    LEFT JOIN keypairs p
      ON p.principal = k.principal
     AND p.recipientaccountid = k.recipientaccountid
     AND p.eventtime < k.eventtime
     AND p.eventtime >= k.eventtime - $lookback
    WHERE p.eventid IS NULL
      AND k.eventtime >= $since
      AND k.eventtime <= $until
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(key_name, ''))), ', ') AS key_names
FROM new_keypairs
GROUP BY principal, recipientaccountid, awsregion
ORDER BY first_seen
