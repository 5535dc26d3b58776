-- title: Who touched a resource
-- description: Events that name a resource (an ARN, bucket, instance id, role name, key…) anywhere in the record (resources, request, response), with who, from where and whether it failed.
-- tags: resource, timeline
-- param: resource string required  ARN or any identifier that appears in the request (bucket, i-0abc…, role name)
-- param: since timestamp 1970-01-01  Earliest event time
-- param: until timestamp 2100-01-01  Latest event time
-- param: limit int 1000  Most rows returned
SELECT eventtime,
       eventsource,
       eventname,
       useridentity.arn AS principal,
       sourceipaddress,
       readonly,
       errorcode,
       requestparameters,
       eventid
FROM cloudtrail
WHERE strpos(eventjson, $resource) > 0
  AND eventtime >= $since
  AND eventtime <= $until
ORDER BY eventtime, eventid
LIMIT $limit
