-- title: EC2 instances of unusual (GPU or very large) types launched or attempted
-- description: An ec2:RunInstances call, successful or refused (UnauthorizedOperation, VcpuLimitExceeded and the like), for an instance type matching the watch-list of GPU, accelerator, bare-metal and very large types: cryptominers with stolen credentials reach for exactly these, and failed attempts show the intent. One finding per principal, account, region and instance type.
-- severity: low
-- attack_tactic: TA0040 Impact
-- attack_technique: T1496 Resource Hijacking
-- catalogue: ec2-unusual-instance-launch
-- stratus: aws.execution.ec2-launch-unusual-instances
-- panther: AWS.EC2.LaunchUnusualEC2Instances
-- false_positives: ML, rendering and HPC teams that legitimately run GPU or large instances; narrow type_pattern or allow-list their roles.
-- tags: ec2, run-instances, gpu, cryptomining, impact
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: type_pattern string ^(p[0-9]|g[0-9]|inf[0-9]|trn[0-9]|dl[0-9]|f[0-9]|vt[0-9]|x[0-9]|u-|hpc[0-9])|\.(metal|(1[2-9]|[2-9][0-9])xlarge)  Regex of instance types to report (GPU, accelerator, HPC, high-memory, bare-metal, 12xlarge and above)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(json_extract_scalar(requestparameters, '$.instanceType'), json_extract_scalar(requestparameters, '$.instanceType.value')) AS instance_type,
       count(*) AS calls,
       count(*) FILTER (WHERE errorcode IS NOT NULL) AS failed,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(errorcode, 'success'))), ', ') AS outcomes,
       sum(coalesce(CAST(json_extract_scalar(requestparameters, '$.instancesSet.items[0].maxCount') AS BIGINT), 1)) AS max_instances_requested,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.instancesSet.items[0].imageId'), ''))), ', ') AS images
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'RunInstances'
  AND regexp_like(coalesce(json_extract_scalar(requestparameters, '$.instanceType'), json_extract_scalar(requestparameters, '$.instanceType.value'), ''), $type_pattern)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, coalesce(json_extract_scalar(requestparameters, '$.instanceType'), json_extract_scalar(requestparameters, '$.instanceType.value'))
ORDER BY first_seen
