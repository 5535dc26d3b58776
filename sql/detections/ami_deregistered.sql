-- title: AMI deregistered
-- description: A successful DeregisterImage: the machine image can no longer launch instances, so auto-scaling, deployments and recovery that rely on it break, and with deleteAssociatedSnapshots=true its backing EBS snapshots are deleted too and the image cannot be re-registered. Attackers deregister golden images to sabotage recovery or to clean up after using an image. Deregistrations by AWS services (EC2 Image Builder lifecycle, Data Lifecycle Manager) are left out. One finding per principal, account and region, with the images and whether snapshots went with them.
-- severity: medium
-- attack_tactic: TA0040 Impact
-- attack_technique: T1485 Data Destruction
-- catalogue: ami-deregistered
-- stratus: aws.impact.ec2-deregister-ami
-- false_positives: Image pipelines and clean-up jobs that retire old AMIs from a CI role; allow-list those principals, or look only at findings with several images or snapshots_deleted.
-- tags: ec2, ami, image, impact, inhibit-recovery
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       count(DISTINCT requestparameters->>'imageId') AS image_count,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'imageId')), ', ') AS images,
       bool_or(lower(coalesce(requestparameters->>'deleteAssociatedSnapshots',
                              requestparameters->>'DeleteAssociatedSnapshots', 'false')) = 'true') AS snapshots_deleted
FROM cloudtrail
WHERE eventsource = 'ec2.amazonaws.com'
  AND eventname = 'DeregisterImage'
  AND errorcode IS NULL
  AND useridentity.invokedby IS NULL
  AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
