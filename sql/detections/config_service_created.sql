-- title: AWS Config recorder, delivery channel or aggregation set up
-- description: A successful AWS Config PutConfigurationRecorder, PutDeliveryChannel, StartConfigurationRecorder, PutConfigurationAggregator or PutAggregationAuthorization: Config records the configuration of every resource in the account, so a recorder delivering to a bucket someone else reads, an aggregator, or an authorization letting another account aggregate the data is a complete, continuously updated inventory of the account in their hands. One finding per principal, account and region, with the recorders, channels and buckets named.
-- severity: info
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1526 Cloud Service Discovery
-- catalogue: config-service-created
-- stratus: -
-- panther: AWS.ConfigService.Created
-- false_positives: Account baselining (Control Tower, Landing Zone, security tooling onboarding) and infrastructure as code that sets up Config in every region; check that the delivery bucket and any authorized aggregator account belong to you.
-- tags: config, inventory, discovery, audit
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
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'configurationRecorderName',
                                                   json_extract_scalar(requestparameters, '$.configurationRecorder.name'),
                                                   json_extract_scalar(requestparameters, '$.deliveryChannel.name'),
                                                   requestparameters->>'configurationAggregatorName', ''))), ', ') AS names,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.deliveryChannel.s3BucketName'), ''))), ', ') AS delivery_buckets,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'authorizedAccountId', ''))), ', ') AS authorized_accounts
FROM cloudtrail
WHERE eventsource = 'config.amazonaws.com'
  AND eventname IN ('PutConfigurationRecorder', 'PutDeliveryChannel', 'StartConfigurationRecorder',
                    'PutConfigurationAggregator', 'PutAggregationAuthorization')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
