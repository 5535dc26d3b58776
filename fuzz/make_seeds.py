#!/usr/bin/env python3
"""Writes the decode target's seed inputs (fuzz/seeds/decode) from tests/fixtures: one
small file per delivery format trawl reads, the records taken from the real fixtures,
the wrappers the ones each format uses. Rerun after adding a format or a fixture kind.
The records come from tests/fixtures/real, tests/fixtures/panther and
tests/fixtures/detections; their SOURCES.md files say where from and under which licence."""

import csv
import gzip
import io
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
OUT = ROOT / "fuzz" / "seeds" / "decode"


def load(path):
    text = path.read_text()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(value, dict) and "Records" in value:
        return value["Records"]
    return value if isinstance(value, list) else [value]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    forensics = load(FIX / "real/aws-cloudtrail-forensics/cloudTrail_log.json")
    sightings = load(sorted((FIX / "real/cloudtrail2sightings").glob("*.json"))[0])
    stratus = load(FIX / "real/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json")
    otrf = load(sorted((FIX / "real/otrf-security-datasets").glob("*.json"))[0])
    detection = load(FIX / "detections/root_console_login/positive.json")
    panther = [
        json.loads(line)["event"]
        for line in (FIX / "panther/cases.jsonl").read_text().splitlines()[:2]
    ]
    one = stratus[0]
    compact = lambda v: json.dumps(v, separators=(",", ":"))
    seeds = {
        "records-compact.json": compact({"Records": forensics[:2]}),
        "records-pretty.json": json.dumps({"Records": sightings[:1]}, indent=2),
        "array-pretty.json": json.dumps(stratus[:2], indent=3),
        "jsonl.json": "".join(compact(r) + "\n" for r in otrf[:2]),
        "detection-records.json": json.dumps(detection[:1], indent=2),
        "panther-events.jsonl": "".join(compact(r) + "\n" for r in panther),
        "eventbridge.json": compact(
            {
                "version": "0",
                "id": "6f87d04b-9f74-4f04-a780-7acf4b0a9b38",
                "detail-type": "AWS API Call via CloudTrail",
                "source": "aws.cloudtrail",
                "account": "123456789012",
                "time": one["eventTime"],
                "region": "us-east-1",
                "resources": [],
                "detail": one,
            }
        ),
        "cloudwatch-subscription.json": compact(
            {
                "messageType": "DATA_MESSAGE",
                "owner": "123456789012",
                "logGroup": "aws-cloudtrail-logs",
                "logStream": "123456789012_CloudTrail_us-east-1",
                "subscriptionFilters": ["all"],
                "logEvents": [
                    {"id": "1", "timestamp": 1700000000000, "message": compact(r)}
                    for r in stratus[:2]
                ],
            }
        ),
        "lookup-events.json": json.dumps(
            {
                "Events": [
                    {
                        "EventId": r.get("eventID", ""),
                        "EventName": r.get("eventName", ""),
                        "ReadOnly": "false",
                        "CloudTrailEvent": compact(r),
                    }
                    for r in stratus[:2]
                ]
            },
            indent=4,
        ),
        "cloudwatch-export.txt": "".join(
            f"{r['eventTime']} {compact(r)}\n" for r in stratus[:2]
        ),
        "digest.json": compact(
            {
                "awsAccountId": "123456789012",
                "digestStartTime": "2024-01-01T00:00:00Z",
                "digestEndTime": "2024-01-01T01:00:00Z",
                "logFiles": [],
            }
        ),
    }
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["eventid", "eventtime", "eventjson"])
    for r in stratus[:2]:
        writer.writerow([r.get("eventID", ""), r["eventTime"], compact(r)])
    seeds["lake-export.csv"] = rows.getvalue()
    for name, text in seeds.items():
        (OUT / name).write_text(text)
    gz = gzip.compress(seeds["records-compact.json"].encode(), mtime=0)
    (OUT / "records-compact.json.gz").write_bytes(gz)


if __name__ == "__main__":
    main()
