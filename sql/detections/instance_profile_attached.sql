-- title: IAM instance profile associated with or replaced on an EC2 instance
-- description: A successful ec2:AssociateIamInstanceProfile or ec2:ReplaceIamInstanceProfileAssociation: giving a running instance a (more powerful) role lets anyone with a shell on it use that role's credentials from the metadata service, an escalation path needing only iam:PassRole. One finding per principal, account, region and instance or association.
-- severity: high
-- attack_tactic: TA0004 Privilege Escalation
-- attack_technique: T1548.005 Abuse Elevation Control Mechanism: Temporary Elevated Cloud Access
-- catalogue: instance-profile-attached
-- stratus: -
-- panther: AWS.Modify.Cloud.Compute.Infrastructure
-- false_positives: Launch automation and auto-scaling lifecycle hooks that attach profiles after start; allow-list those roles.
-- tags: ec2, iam, instance-profile, passrole, privilege-escalation
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       coalesce(json_extract_scalar(requestparameters, '$.AssociateIamInstanceProfileRequest.InstanceId'), json_extract_scalar(responseelements, '$.ReplaceIamInstanceProfileAssociationResponse.iamInstanceProfileAssociation.instanceId'), json_extract_scalar(requestparameters, '$.ReplaceIamInstanceProfileAssociationRequest.AssociationId')) AS target,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(json_extract_scalar(requestparameters, '$.AssociateIamInstanceProfileRequest.IamInstanceProfile.Name'), json_extract_scalar(requestparameters, '$.AssociateIamInstanceProfileRequest.IamInstanceProfile.Arn'), json_extract_scalar(requestparameters, '$.ReplaceIamInstanceProfileAssociationRequest.IamInstanceProfile.Name'), json_extract_scalar(requestparameters, '$.ReplaceIamInstanceProfileAssociationRequest.IamInstanceProfile.Arn'), ''))), ', ') AS instance_profiles
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation')
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion, coalesce(json_extract_scalar(requestparameters, '$.AssociateIamInstanceProfileRequest.InstanceId'), json_extract_scalar(responseelements, '$.ReplaceIamInstanceProfileAssociationResponse.iamInstanceProfileAssociation.instanceId'), json_extract_scalar(requestparameters, '$.ReplaceIamInstanceProfileAssociationRequest.AssociationId'))
ORDER BY first_seen
