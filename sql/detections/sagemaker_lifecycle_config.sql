-- title: SageMaker notebook lifecycle configuration created, changed or attached
-- description: A successful sagemaker:CreateNotebookInstanceLifecycleConfig or sagemaker:UpdateNotebookInstanceLifecycleConfig (a shell script run as root when a notebook instance is created or starts), or a sagemaker:UpdateNotebookInstance attaching a lifecycle configuration to a notebook: the script runs with the notebook's execution role, so an intruder who stops the notebook, attaches a script and starts it again gets code execution and that role's credentials. One finding per principal, account and region.
-- severity: high
-- attack_tactic: TA0002 Execution
-- attack_technique: T1059.004 Command and Scripting Interpreter: Unix Shell
-- catalogue: sagemaker-lifecycle-config
-- stratus: aws.execution.sagemaker-update-lifecycle-config
-- false_positives: Data-science platform teams and infrastructure-as-code that manage notebook start-up scripts (package installs, idle auto-stop); allow-list those roles, and read the script content (base64 in requestParameters) before dismissing.
-- tags: sagemaker, notebook, lifecycle-config, execution, privilege-escalation
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       array_to_string(array_sort(array_agg(DISTINCT coalesce(requestparameters->>'notebookInstanceLifecycleConfigName', requestparameters->>'lifecycleConfigName'))), ', ') AS lifecycle_configs,
       array_to_string(array_sort(array_agg(DISTINCT requestparameters->>'notebookInstanceName')), ', ') AS notebook_instances,
       bool_or(eventname = 'UpdateNotebookInstance') AS attached
FROM cloudtrail
WHERE eventsource = 'sagemaker.amazonaws.com'
  AND errorcode IS NULL
  AND (
        eventname IN ('CreateNotebookInstanceLifecycleConfig', 'UpdateNotebookInstanceLifecycleConfig')
     OR (eventname = 'UpdateNotebookInstance'
         AND coalesce(requestparameters->>'lifecycleConfigName', '') <> '')
      )
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
