-- Template of a detection. Copy it to sql/detections/<id>.sql (the file name is the id,
-- lower_snake_case) and add tests/fixtures/detections/<id>/positive.json and negative.json.
-- Files whose name starts with an underscore are not detections (the tests skip them).
-- Header lines have the form "-- key" then a colon then the value; the header ends at the
-- first line that is not a comment. Comment lines without a colon, like these, are ignored,
-- so keep colons out of them. Delete these explanation lines in your copy.
--
-- What the finding is, in a few words (shown as its title by trawl queries and trawl hunt).
-- title: Template of a detection (copy this file; it finds nothing)
-- What the behaviour is, why it matters, and what one finding groups (one line or several).
-- description: Skeleton to copy when adding a detection; its filter matches no event. One finding per principal, account and region.
-- One of info, low, medium, high, critical (trawl hunt sorts by it and --fail-on uses it).
-- severity: info
-- MITRE ATT&CK tactic id and name.
-- attack_tactic: TA0005 Defense Evasion
-- MITRE ATT&CK technique id and name.
-- attack_technique: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- Optional (omit the line if the same), the technique id in ATT&CK v19 when it differs from the one above.
-- sigma_technique: T1685 (ATT&CK v19: Disable or Modify Tools)
-- Rows of the detection catalogue this covers (comma-separated).
-- catalogue: example-behaviour
-- Stratus Red Team techniques it detects (comma-separated aws.* ids, or - for none); the tests run it on their detonation logs.
-- stratus: -
-- Optional (omit the line if none), Panther rules with the same behaviour; their labelled test cases are run through it.
-- panther: Example.Rule.Id
-- Optional (omit the line if none), comma-separated name=value that let one event decide, for Panther's single-event cases.
-- per_event: threshold=1
-- Legitimate activity that also matches, and how to tell it apart or allow-list it.
-- false_positives: Describe who does this legitimately (automation, administrators) and how to recognise them.
-- Comma-separated keywords, for trawl hunt --tags.
-- tags: example
-- Parameters, one per line, as name, type (string, int, float, bool, timestamp, interval), default
-- (or the word required) and a description; referenced as $name. Every detection takes since and until.
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: threshold int 5  Fewest matching events of one principal to report
--
-- Every finding starts with the evidence columns, in this order and with these names
-- (eventids never empty). Columns after them are the detection's own.
SELECT array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
       min(eventtime) AS first_seen,
       max(eventtime) AS last_seen,
       coalesce(useridentity.arn, useridentity.type) AS principal,
       min(sourceipaddress) AS sourceip,
       recipientaccountid AS account,
       awsregion AS region,
       -- The detection's own columns, for example what was done.
       array_to_string(array_sort(array_agg(DISTINCT eventname)), ', ') AS actions,
       count(*) AS events
FROM cloudtrail
-- Replace with the behaviour: the service, the calls, success or failure (errorcode IS NULL).
WHERE eventsource = 'example.amazonaws.com'
  AND eventname = 'ExampleEventName'
  AND errorcode IS NULL
  AND eventtime >= $since
  AND eventtime <= $until
GROUP BY coalesce(useridentity.arn, useridentity.type), recipientaccountid, awsregion
HAVING count(*) >= $threshold
ORDER BY first_seen
