-- title: Logging and security-tool changes
-- description: Configuration changes to the services that watch the account, oldest first: CloudTrail (trails, logging, event selectors), AWS Config, GuardDuty, Security Hub, IAM Access Analyzer, Macie, Inspector, Detective, VPC flow logs, Route 53 Resolver query logging, CloudWatch Logs groups and alarms, EventBridge rules, S3 server access logging, and leaving the organization. `disabling` marks calls that stop, delete or weaken a control: the usual first moves of an intruder covering their tracks. Read-only calls are left out; failed attempts are kept.
-- tags: defense-evasion, logging, cloudtrail, guardduty, config, change
-- param: only_disabling bool false  Only calls that stop, delete, disable or weaken a control
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
WITH changes AS (
    SELECT *,
           regexp_like(eventname, '^(Stop|Delete|Disable|Disassociate|Remove|Leave|Deregister|BatchDisable|Untag)')
           OR eventname IN ('PutEventSelectors', 'PutInsightSelectors', 'UpdateTrail', 'UpdateDetector',
                            'PutRetentionPolicy', 'PutBucketLogging', 'CreateFilter', 'UpdateFilter',
                            'CreateIPSet', 'UpdateIPSet', 'UpdateThreatIntelSet', 'CreateThreatIntelSet',
                            'UpdateFindings', 'BatchUpdateFindings', 'UpdateFindingsFeedback', 'ArchiveFindings',
                            'CreateArchiveRule', 'UpdateArchiveRule', 'UpdateOrganizationConfiguration',
                            'PutConfigurationRecorder', 'PutDeliveryChannel', 'SetAlarmState', 'PutMetricAlarm',
                            'UpdateMacieSession', 'UpdateClassificationJob') AS disabling
    FROM cloudtrail
    WHERE NOT coalesce(readonly, regexp_like(eventname, '^(Get|List|Describe|Lookup|Search|Check)'))
      AND (eventsource IN ('cloudtrail.amazonaws.com', 'config.amazonaws.com', 'guardduty.amazonaws.com',
                           'securityhub.amazonaws.com', 'access-analyzer.amazonaws.com', 'macie.amazonaws.com',
                           'macie2.amazonaws.com', 'inspector.amazonaws.com', 'inspector2.amazonaws.com',
                           'detective.amazonaws.com')
           OR (eventsource = 'ec2.amazonaws.com' AND eventname IN ('CreateFlowLogs', 'DeleteFlowLogs'))
           OR (eventsource = 'route53resolver.amazonaws.com' AND regexp_like(eventname, 'ResolverQueryLogConfig'))
           OR (eventsource = 'logs.amazonaws.com'
               AND eventname IN ('DeleteLogGroup', 'DeleteLogStream', 'PutRetentionPolicy', 'DeleteRetentionPolicy',
                                 'DeleteSubscriptionFilter', 'PutSubscriptionFilter', 'DeleteMetricFilter',
                                 'DisassociateKmsKey', 'DeleteDestination', 'DeleteDataProtectionPolicy'))
           OR (eventsource = 'monitoring.amazonaws.com'
               AND eventname IN ('DeleteAlarms', 'DisableAlarmActions', 'SetAlarmState', 'PutMetricAlarm',
                                 'DeleteDashboards', 'DisableInsightRules', 'DeleteInsightRules'))
           OR (eventsource = 'events.amazonaws.com' AND eventname IN ('DisableRule', 'DeleteRule', 'RemoveTargets', 'PutRule'))
           OR (eventsource = 's3.amazonaws.com' AND eventname = 'PutBucketLogging')
           OR (eventsource = 'organizations.amazonaws.com'
               AND eventname IN ('LeaveOrganization', 'DisableAWSServiceAccess', 'DeregisterDelegatedAdministrator')))
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT eventtime,
       split_part(eventsource, '.', 1) AS service,
       eventname,
       disabling,
       coalesce(requestparameters->>'name', requestparameters->>'trailName', requestparameters->>'detectorId',
                requestparameters->>'configurationRecorderName', requestparameters->>'deliveryChannelName',
                requestparameters->>'analyzerName', requestparameters->>'logGroupName',
                requestparameters->>'resolverQueryLogConfigId', requestparameters->>'bucketName',
                json_extract_scalar(requestparameters, '$.DeleteFlowLogsRequest.FlowLogId.content'),
                json_extract_scalar(requestparameters, '$.alarmNames[0]'),
                requestparameters->>'ruleName', requestparameters->>'hubArn') AS target,
       coalesce(useridentity.arn, useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
       useridentity.sessioncontext.attributes.mfaauthenticated AS mfa,
       sourceipaddress,
       useragent_family(useragent) AS agent,
       awsregion,
       errorcode,
       requestparameters,
       eventid
FROM changes
WHERE disabling OR NOT $only_disabling
ORDER BY eventtime, eventid
LIMIT $limit
