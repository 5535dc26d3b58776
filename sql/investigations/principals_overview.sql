-- title: Principals overview
-- description: A first look at who is active: per principal (a role's sessions count as the role, with how many sessions), identity type and account, the events, writes, errors, distinct APIs, services, regions, source addresses (public ones counted apart), access keys, user agents, and the first and last event, busiest first. The starting point of a triage: unknown principals, principals with many errors or many addresses, and principals active only in the incident window.
-- tags: identity, triage, baseline
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 200  Most rows returned
WITH ev AS (
    SELECT coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn,
                    useridentity.invokedby, useridentity.principalid, useridentity.type) AS principal,
           useridentity.type AS identity_type,
           coalesce(useridentity.accountid, recipientaccountid) AS account,
           useridentity.arn AS session_arn,
           useridentity.accesskeyid AS access_key,
           eventsource,
           eventname,
           awsregion,
           sourceipaddress,
           useragent,
           eventtime,
           errorcode,
           coalesce(readonly, regexp_like(eventname, '^(Get|List|Describe|Head|Lookup|Search|Scan|Query|Select|BatchGet|Check|Validate|Simulate)')) AS is_read
    FROM cloudtrail
    WHERE eventtime >= $since
      AND eventtime <= $until
)
SELECT principal,
       identity_type,
       account,
       count(*) AS events,
       sum(CASE WHEN is_read THEN 0 ELSE 1 END) AS writes,
       sum(CASE WHEN errorcode IS NOT NULL THEN 1 ELSE 0 END) AS errors,
       count(DISTINCT eventname) AS apis,
       count(DISTINCT eventsource) AS services,
       count(DISTINCT awsregion) AS regions,
       count(DISTINCT sourceipaddress) AS source_ips,
       count(DISTINCT CASE WHEN NOT coalesce(is_private_ip(sourceipaddress), false)
                            AND NOT coalesce(is_aws_service_source(sourceipaddress), false)
                           THEN sourceipaddress END) AS public_ips,
       count(DISTINCT session_arn) AS sessions,
       count(DISTINCT access_key) AS access_keys,
       count(DISTINCT useragent) AS user_agents,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen
FROM ev
GROUP BY principal, identity_type, account
ORDER BY events DESC, principal, identity_type, account
LIMIT $limit
