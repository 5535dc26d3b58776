-- title: Instance metadata protections relaxed (IMDSv1 re-enabled or hop limit raised)
-- description: A successful ModifyInstanceMetadataOptions on an instance, or ModifyInstanceMetadataDefaults for the account and region, that sets HttpTokens to optional (IMDSv1 answers unauthenticated GET requests again, the classic SSRF path to instance credentials) or raises HttpPutResponseHopLimit above max_hop_limit (IMDSv2 tokens reach containers and forwarded traffic beyond the instance). Attackers relax these before stealing instance-role credentials through a web application. One finding per principal, account and region, with the instances and the settings applied.
-- severity: medium
-- attack_tactic: TA0006 Credential Access
-- attack_technique: T1552.005 Unsecured Credentials: Cloud Instance Metadata API
-- catalogue: imdsv2-downgraded
-- stratus: -
-- false_positives: Legacy software that still needs IMDSv1, and container hosts (EKS, ECS on EC2) where a hop limit of 2 is the documented setting; raise max_hop_limit to 2 where containers need it and allow-list the provisioning roles.
-- tags: ec2, imds, imdsv2, instance-metadata, credential-access, defense-evasion
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: max_hop_limit int 1  Highest HttpPutResponseHopLimit that is not reported
WITH changes AS (
    SELECT eventid, eventtime, eventname, useridentity, sourceipaddress, recipientaccountid, awsregion,
           CASE WHEN eventname = 'ModifyInstanceMetadataOptions'
                THEN coalesce(json_extract_scalar(requestparameters, '$.ModifyInstanceMetadataOptionsRequest.InstanceId'),
                              requestparameters->>'instanceId', '')
                ELSE 'account default' END AS target,
           lower(coalesce(json_extract_scalar(requestparameters, '$.ModifyInstanceMetadataOptionsRequest.HttpTokens'),
                          json_extract_scalar(requestparameters, '$.ModifyInstanceMetadataDefaultsRequest.HttpTokens'),
                          requestparameters->>'httpTokens')) AS http_tokens,
           try_cast(coalesce(json_extract_scalar(requestparameters, '$.ModifyInstanceMetadataOptionsRequest.HttpPutResponseHopLimit'),
                             json_extract_scalar(requestparameters, '$.ModifyInstanceMetadataDefaultsRequest.HttpPutResponseHopLimit'),
                             requestparameters->>'httpPutResponseHopLimit') AS BIGINT) AS hop_limit
    FROM cloudtrail
    WHERE eventsource = 'ec2.amazonaws.com'
      AND eventname IN ('ModifyInstanceMetadataOptions', 'ModifyInstanceMetadataDefaults')
      AND errorcode IS NULL
      AND eventtime >= $since
      AND eventtime <= $until
)
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT target)), ', ') AS targets,
       bool_or(http_tokens = 'optional') AS imdsv1_enabled,
       max(hop_limit) AS max_hop_limit_set
FROM changes
WHERE http_tokens = 'optional'
   OR hop_limit > $max_hop_limit
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
