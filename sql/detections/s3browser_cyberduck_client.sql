-- title: S3 Browser or Cyberduck client activity
-- description: Successful calls made with the S3 Browser or Cyberduck desktop clients: extortion crews use these GUI tools with stolen keys to create IAM users, access keys and login profiles and to bulk-download buckets, while engineers rarely do. One finding per principal, account, region and client.
-- severity: high
-- attack_tactic: TA0002 Execution
-- attack_technique: T1059.009 Command and Scripting Interpreter: Cloud API
-- catalogue: s3browser-cyberduck-client
-- stratus: -
-- false_positives: Staff who legitimately use S3 Browser or Cyberduck to manage buckets; allow-list those principals.
-- tags: user-agent, s3browser, cyberduck, s3, iam, exfiltration, execution
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       CASE WHEN strpos(lower(useragent), 'cyberduck') > 0 THEN 'Cyberduck' ELSE 'S3 Browser' END AS client,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT eventsource)), ', ') AS services,
       count(*) AS events
FROM cloudtrail
WHERE regexp_like(lower(useragent), 's3 browser|cyberduck')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
