-- title: User agents per principal
-- description: The clients (user agents) each principal used (a role's sessions count as the role): events, share of the principal's events, how many principals use the same agent, when the agent was first and last seen for that principal and how many days after the principal's own first event it appeared. Rarest first within each principal: a tool seen once (an attack framework, a new SDK, curl, a scanner) next to a principal's usual client is what stolen credentials look like. Calls made by AWS services are left out. Pass a user or role ARN to see one, or * (the default) for all.
-- tags: identity, user-agent, first-seen, tools
-- param: principal string *  One user or role ARN, or * for every principal
-- param: max_share float 1.0  Only agents used for at most this share (0-1) of the principal's events
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
-- The placeholder is used once, so it has one type wherever it is compared.
WITH wanted AS (SELECT CAST($principal AS VARCHAR) AS p),
ev AS (
    SELECT coalesce(c.useridentity.sessioncontext.sessionissuer.arn, c.useridentity.arn,
                    c.useridentity.principalid, c.useridentity.type) AS principal,
           coalesce(c.useragent, '') AS useragent,
           c.eventtime
    FROM cloudtrail c
    WHERE c.eventtime >= $since
      AND c.eventtime <= $until
      AND coalesce(c.useridentity.type, '') <> 'AWSService'
),
per_agent AS (
    SELECT principal,
           useragent,
           count(*) AS events,
           min(eventtime) AS first_seen,
           max(eventtime) AS last_seen
    FROM ev
    GROUP BY principal, useragent
),
ranked AS (
    SELECT *,
           sum(events) OVER (PARTITION BY principal) AS principal_events,
           min(first_seen) OVER (PARTITION BY principal) AS principal_first_seen,
           count(*) OVER (PARTITION BY useragent) AS principals_with_agent
    FROM per_agent
)
SELECT r.principal,
       useragent_family(r.useragent) AS agent_family,
       r.useragent,
       r.events,
       round(CAST(r.events AS DOUBLE) / r.principal_events, 4) AS share_of_principal,
       r.principals_with_agent,
       r.first_seen,
       r.last_seen,
       date_diff('day', r.principal_first_seen, r.first_seen) AS days_after_principal_first_seen
FROM ranked r, wanted w
WHERE (w.p = '*' OR r.principal = w.p)
  AND CAST(r.events AS DOUBLE) / r.principal_events <= $max_share
ORDER BY r.principal, r.events, r.principals_with_agent, r.first_seen
LIMIT $limit
