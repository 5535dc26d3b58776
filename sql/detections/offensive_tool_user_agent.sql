-- title: Offensive security tool user agent
-- description: API calls whose user agent names an offensive or secret-validation tool (TruffleHog, Pacu, CloudFox, WeirdAAL, Stratus Red Team) or an attack distribution (Kali, Parrot, Pentoo): leaked keys are typically validated with GetCallerIdentity by such tools before use. Failed calls are kept because tool-driven enumeration fails often. One finding per principal, account and region.
-- severity: medium
-- attack_tactic: TA0007 Discovery
-- attack_technique: T1087.004 Account Discovery: Cloud Account
-- catalogue: offensive-tool-user-agent
-- stratus: -
-- panther: AWS.STS.GetCallerIdentity.TruffleHog
-- false_positives: Sanctioned penetration tests, red-team exercises and secret scanners run by the security team; the user agent is set by the client and trivially changed, so absence proves nothing.
-- tags: user-agent, trufflehog, pacu, discovery, credential-access
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       array_to_string(array_sort(array_agg(DISTINCT useragent)), ', ') AS user_agents,
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       count(*) AS events,
       count(errorcode) AS failed
FROM cloudtrail
-- Lower-cased first: a case-sensitive alternation of literals is matched with a SIMD
-- search, where (?i) took 0.77 s of predicate time over 2M events.
WHERE regexp_like(lower(useragent), 'trufflehog|pacu|cloudfox|weirdaal|stratus-red-team|kali|parrot|pentoo')
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
ORDER BY first_seen
