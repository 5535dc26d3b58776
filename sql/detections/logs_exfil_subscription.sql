-- title: CloudWatch Logs streamed or exported out of the account
-- description: A successful logs:PutSubscriptionFilter whose destinationArn (a Logs destination, Kinesis stream, Firehose or Lambda) belongs to another account than the one that owns the log group, or a logs:CreateExportTask copying a log group to an S3 bucket: application, database and audit logs, often full of secrets and personal data, leave through a channel that keeps flowing after the intruder is gone. One finding per principal, account, region and log group.
-- severity: medium
-- attack_tactic: TA0010 Exfiltration
-- attack_technique: T1537 Transfer Data to Cloud Account
-- catalogue: logs-exfil-subscription
-- stratus: -
-- false_positives: Central logging set-ups that subscribe every log group to a Logs destination in a security or log-archive account, and scheduled archive exports to S3; allow-list those destination accounts, buckets or pipeline roles.
-- tags: cloudwatch-logs, subscription-filter, export-task, cross-account, exfiltration
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       requestparameters->>'logGroupName' AS log_group,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'destinationArn',
                                                    's3://' || (requestparameters->>'destination') || '/' || coalesce(requestparameters->>'destinationPrefix', '')))), ', ') AS destinations,
       array_to_string(array_sort(array_agg(DISTINCT arn_account(requestparameters->>'destinationArn'))), ', ') AS destination_accounts
FROM cloudtrail
WHERE eventsource = 'logs.amazonaws.com'
  AND errorcode IS NULL
  AND (
        (eventname = 'PutSubscriptionFilter'
         AND arn_account(requestparameters->>'destinationArn') <> recipientaccountid)
     OR eventname = 'CreateExportTask'
      )
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, 8
ORDER BY first_seen
