-- title: Discovery commands run with an EC2 instance role
-- description: An EC2 instance profile session (session name i-..., or ec2RoleDelivery in the session context) called at least threshold distinct account-mapping discovery APIs from a fixed list (sts GetCallerIdentity, s3 ListBuckets, iam GetAccountSummary / ListRoles / ListUsers / GetAccountAuthorizationDetails and other IAM listings, ec2 DescribeSnapshots, cloudtrail DescribeTrails, guardduty ListDetectors, organizations, ListSecrets, DescribeParameters, kms ListKeys, lambda ListFunctions, rds DescribeDBInstances...) spread over at least the given number of services within one window: someone with a shell on the instance, or holding its stolen credentials, is mapping the account with the instance's identity. Workloads call the same few APIs of one or two services over and over, and the Describe/Get calls they live on (DescribeInstances, GetObject, GetSecretValue, GetParameter, kms, logs, CloudWatch) are not in the list; broad enumeration of the account across services is unusual. Failed calls count too. Calls from the SSM, CloudWatch and ECS agents, ECR image pulls and calls made by AWS services on the instance's behalf are left out. One finding per instance session, account and window; region is the first region seen and regions lists all of them (IAM, S3 ListBuckets and other global calls log in us-east-1).
-- severity: medium
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1580 Cloud Infrastructure Discovery
-- catalogue: discovery-from-ec2-instance
-- stratus: aws.discovery.ec2-enumerate-from-instance
-- panther: AWS.EC2.DiscoveryCommandsExecuted
-- per_event: threshold=1, services=1
-- false_positives: Inventory, CSPM or backup agents and CI runners on EC2 that use their instance role to enumerate resources; allow-list those roles or raise threshold.
-- tags: ec2, instance-profile, discovery, enumeration, distinct-count, threshold
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 5  Fewest distinct discovery APIs (service and event name) by one instance session in one window
-- param: services int 3  Fewest distinct services those APIs must span
-- param: window interval 10m  Width of the time buckets (an enumeration script runs its calls within seconds to minutes)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       min(awsregion) AS region,
       date_bin($window, eventtime) AS window_start,
       session_name(useridentity.arn) AS instance_session,
       count(*) AS calls,
       count(DISTINCT eventsource || ':' || eventname) AS distinct_apis,
       count(DISTINCT eventsource) AS service_count,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS failed_calls,
       array_to_string(array_sort(array_agg(DISTINCT split_part(eventsource, '.', 1) || ':' || eventname)), ', ') AS apis,
       array_to_string(array_sort(array_agg(DISTINCT awsregion)), ', ') AS regions
FROM cloudtrail
WHERE useridentity.type = 'AssumedRole'
  -- CASE, not OR: OR evaluated the regex on every other session's name too. A name
  -- that looks like an instance id follows a '/' in the ARN.
  AND CASE WHEN useridentity.sessioncontext.ec2roledelivery IS NOT NULL THEN true
           WHEN useridentity.arn LIKE '%/i-%'
           THEN regexp_like(coalesce(session_name(useridentity.arn), ''), '^i-[0-9a-fA-F]{8,17}$')
           ELSE false END
  AND useridentity.invokedby IS NULL
  -- The names alone first: one lookup per row, where the pair below builds a string.
  AND eventname IN (
        'DescribeDBInstances', 'DescribeOrganization', 'DescribeParameters', 'DescribeRepositories',
        'DescribeSnapshots', 'DescribeTrails', 'GetAccountAuthorizationDetails',
        'GetAccountPasswordPolicy', 'GetAccountSummary', 'GetCallerIdentity', 'GetTrailStatus',
        'ListAccessKeys', 'ListAccountAliases', 'ListAccounts', 'ListAliases',
        'ListAttachedRolePolicies', 'ListAttachedUserPolicies', 'ListBuckets', 'ListClusters',
        'ListDetectors', 'ListFunctions', 'ListFunctions20150331', 'ListGroups', 'ListInstanceProfiles',
        'ListKeys', 'ListPolicies', 'ListRolePolicies', 'ListRoles', 'ListSecrets', 'ListTables',
        'ListTrails', 'ListUserPolicies', 'ListUsers')
  AND split_part(eventsource, '.', 1) || ':' || eventname IN (
        'sts:GetCallerIdentity', 's3:ListBuckets',
        'iam:GetAccountSummary', 'iam:GetAccountAuthorizationDetails', 'iam:ListAccountAliases', 'iam:GetAccountPasswordPolicy',
        'iam:ListRoles', 'iam:ListUsers', 'iam:ListGroups', 'iam:ListPolicies', 'iam:ListAccessKeys', 'iam:ListInstanceProfiles',
        'iam:ListAttachedRolePolicies', 'iam:ListAttachedUserPolicies', 'iam:ListRolePolicies', 'iam:ListUserPolicies',
        'ec2:DescribeSnapshots', 'cloudtrail:DescribeTrails', 'cloudtrail:ListTrails', 'cloudtrail:GetTrailStatus',
        'guardduty:ListDetectors', 'organizations:DescribeOrganization', 'organizations:ListAccounts',
        'secretsmanager:ListSecrets', 'ssm:DescribeParameters', 'kms:ListKeys', 'kms:ListAliases',
        'lambda:ListFunctions20150331', 'lambda:ListFunctions', 'rds:DescribeDBInstances', 'dynamodb:ListTables',
        'eks:ListClusters', 'ecr:DescribeRepositories')
  AND coalesce(eventcategory, 'Management') = 'Management'
  AND eventsource NOT IN ('ssmmessages.amazonaws.com', 'ec2messages.amazonaws.com')
  AND NOT (eventsource = 'ecr.amazonaws.com'
           AND eventname IN ('GetAuthorizationToken', 'BatchGetImage', 'GetDownloadUrlForLayer'))
  AND NOT regexp_like(coalesce(useragent, ''), '^(amazon-ssm-agent|amazon-cloudwatch-agent|CWAgent|amazon-ecs-agent)')
  AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, date_bin($window, eventtime), 9
HAVING count(DISTINCT eventsource || ':' || eventname) >= $threshold
   AND count(DISTINCT eventsource) >= $services
ORDER BY first_seen
