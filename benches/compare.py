"""trawl against DuckDB on the same CloudTrail archive, plus single-core ceilings.

Run by benches/compare.sh with the bench venv's python (duckdb, pysimdjson). The driver
runs every measured step as a child process and reads that child's own resource usage
(os.wait4): wall time, user+sys CPU seconds and peak RSS of that one process. DuckDB runs
as `python compare.py duck JOB.json` children, so it pays its interpreter start like trawl
pays its process start; the child also records the time of the statement alone
(execute + fetchall), reported as DuckDB's in-process time.

Modes:
  compare.py run --bin B --archive A --raw-archive R --runs N --tmp DIR --summary S.json
  compare.py duck JOB.json         (DuckDB child: setup statements, one timed statement)
  compare.py ceiling ARCHIVE OUT   (single-core gunzip / JSON parse child)
  compare.py select ARCHIVE        (prints DuckDB's SELECT over ARCHIVE)
"""

import argparse
import csv
import datetime as dt
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import zlib

# Delivery files only: `CloudTrail-Digest/` siblings hold digests, not events (trawl
# skips them too).
DELIVERY_GLOB = "AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz"

# --------------------------------------------------------------------------------------
# The explicit DuckDB schema of a CloudTrail record. DuckDB's read_json infers a schema
# from a sample and silently drops keys it did not see, so every field trawl models is
# spelled out. A field is (JSON key, type); its column is the key lower-cased, like
# trawl's (crates/trawl-cloudtrail/src/schema.rs). Free-form payloads are JSON (kept as
# text, as trawl keeps them); the JSON reader matches keys case-sensitively.
# --------------------------------------------------------------------------------------
S, B, J = "VARCHAR", "BOOLEAN", "JSON"


def st(*fields):
    return ("struct", list(fields))


def lst(item):
    return ("list", item)


def pick(key):
    """A one-key object stored as that key's string (trawl's `invokedbydelegate`)."""
    return ("pick", key)


SESSION_CONTEXT = st(
    ("attributes", st(("creationDate", S), ("mfaAuthenticated", B))),
    ("sessionIssuer", st(("type", S), ("principalId", S), ("arn", S), ("accountId", S), ("userName", S))),
    ("webIdFederationData", st(("federatedProvider", S), ("attributes", J))),
    ("sourceIdentity", S),
    ("ec2RoleDelivery", S),
    ("assumedRoot", S),
    ("signInSessionArn", S),
)
USER_IDENTITY = st(
    ("type", S), ("principalId", S), ("arn", S), ("accountId", S), ("accessKeyId", S),
    ("userName", S), ("invokedBy", S), ("identityProvider", S), ("credentialId", S),
    ("sessionContext", SESSION_CONTEXT),
    ("onBehalfOf", st(("userId", S), ("identityStoreArn", S))),
    ("inScopeOf", st(("sourceArn", S), ("sourceAccount", S), ("issuerType", S), ("credentialsIssuedTo", S))),
    ("invokedByDelegate", pick("accountId")),
)
RECORD = [
    ("eventVersion", S),
    ("eventTime", "TIMESTAMPTZ"),  # parsed by the JSON reader, like trawl parses it
    ("eventSource", S),
    ("eventName", S),
    ("awsRegion", S),
    ("sourceIPAddress", S),
    ("userAgent", S),
    ("userIdentity", USER_IDENTITY),
    ("errorCode", S),
    ("errorMessage", S),
    ("requestParameters", J),
    ("responseElements", J),
    ("additionalEventData", J),
    ("requestID", S),
    ("eventID", S),
    ("eventType", S),
    ("apiVersion", S),
    ("readOnly", B),
    ("managementEvent", B),
    ("resources", lst(st(("ARN", S), ("ARNPrefix", S), ("accountId", S), ("type", S)))),
    ("recipientAccountId", S),
    ("serviceEventDetails", J),
    ("sharedEventID", S),
    ("vpcEndpointId", S),
    ("vpcEndpointAccountId", S),
    ("eventCategory", S),
    ("addendum", st(("reason", S), ("updatedFields", S), ("originalRequestID", S), ("originalEventID", S))),
    ("sessionCredentialFromConsole", B),
    ("edgeDeviceDetails", J),
    ("tlsDetails", st(("tlsVersion", S), ("cipherSuite", S), ("clientProvidedHostHeader", S), ("keyExchange", S))),
    ("insightDetails", J),
    ("eventContext", J),
]


def q(name):
    return '"' + name + '"'


def read_type(t):
    """The type read_json parses a field as (JSON key names)."""
    if isinstance(t, str):
        return t
    kind, arg = t
    if kind == "struct":
        return "STRUCT(" + ", ".join(f"{q(k)} {read_type(v)}" for k, v in arg) + ")"
    if kind == "list":
        return read_type(arg) + "[]"
    return f"STRUCT({q(arg)} VARCHAR)"  # pick


def out_expr(expr, t):
    """The column expression: nested names lower-cased, NULL objects kept NULL.
    (A cast cannot rename: DuckDB names differing only in case are the same name.)"""
    if isinstance(t, str):
        return expr
    kind, arg = t
    if kind == "struct":
        fields = ", ".join(f"{q(k.lower())} := {out_expr(f'{expr}.{q(k)}', v)}" for k, v in arg)
        return f"CASE WHEN {expr} IS NULL THEN NULL ELSE struct_pack({fields}) END"
    if kind == "list":
        return f"list_transform({expr}, lambda x: {out_expr('x', arg)})"
    return f"{expr}.{q(arg)}"


def duck_select(archive):
    """SELECT turning an archive into trawl's `cloudtrail` table (without `eventjson`:
    DuckDB keeps no raw text of each event). The two unnests run in lockstep, giving
    each record its index in the file (trawl's `sourceindex`). `records = true` says
    outright that the file is one object whose keys are the columns: left to `auto`,
    DuckDB probes every file for it and spends ~2 ms per small file doing so."""
    records_type = read_type(st(*RECORD)) + "[]"
    cols = ",\n  ".join(f"{out_expr('r.' + q(k), t)} AS {k.lower()}" for k, t in RECORD)
    path = os.path.join(archive, DELIVERY_GLOB).replace("'", "''")
    return (
        f"SELECT\n  {cols},\n  filename AS sourceobject, CAST(i AS UINTEGER) AS sourceindex,\n"
        f"  CAST(r.\"eventTime\" AS DATE) AS date\n"
        f"FROM (SELECT unnest(Records) AS r, unnest(range(len(Records))) AS i, filename\n"
        f"      FROM read_json('{path}', format = 'unstructured', records = true,\n"
        f"                     filename = true, columns = {{'Records': '{records_type}'}}))"
    )


def duck_lake_view(lake):
    path = os.path.join(lake, "cloudtrail", "*", "*.parquet").replace("'", "''")
    return f"CREATE VIEW cloudtrail AS SELECT * FROM read_parquet('{path}', hive_partitioning = true)"


def duck_raw_view(archive):
    """The raw archive as a table, de-duplicated like `trawl sql --raw` does (and the
    lake is): one row per (account, region, time, event id), whichever copy comes first."""
    return ("CREATE VIEW cloudtrail AS SELECT DISTINCT ON (recipientaccountid, awsregion, eventtime, eventid) * "
            f"FROM ({duck_select(archive)})")


# Every DuckDB child: UTC, so TIMESTAMPTZ days and hours are UTC ones like trawl's.
DUCK_SETUP = ["SET TimeZone = 'UTC'"]

# --------------------------------------------------------------------------------------
# Queries: one SQL text for both engines where the dialects agree. `->>` is wrapped in
# parentheses: DuckDB binds it looser than `=`.
# --------------------------------------------------------------------------------------
ACCESS_DENIED = "('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation')"
QUERIES = [
    # Starting the process and opening the lake, nothing read.
    ("startup", "startup: `SELECT 1`", "SELECT 1 AS one"),
    ("count", "row count", "SELECT count(*) AS n FROM cloudtrail"),
    ("top_event_names", "top 20 event names",
     "SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname ORDER BY n DESC, eventname LIMIT 20"),
    ("console_no_mfa", "console logins without MFA",
     "SELECT useridentity.arn AS arn, sourceipaddress, eventtime FROM cloudtrail "
     "WHERE eventname = 'ConsoleLogin' AND (additionaleventdata->>'MFAUsed') = 'No' "
     "ORDER BY eventtime, arn, sourceipaddress"),
    ("principal_day", "one principal, one day",
     "SELECT count(*) AS events, count(DISTINCT eventname) AS names, min(eventtime) AS first, "
     "max(eventtime) AS last FROM cloudtrail WHERE useridentity.arn = '{arn}' "
     "AND eventtime >= '{day}T00:00:00Z' AND eventtime < '{next_day}T00:00:00Z'"),
    ("access_denied_hourly", "AccessDenied per principal per hour, top 20",
     "SELECT useridentity.arn AS arn, date_trunc('hour', eventtime) AS hour, count(*) AS n "
     f"FROM cloudtrail WHERE errorcode IN {ACCESS_DENIED} "
     "GROUP BY useridentity.arn, date_trunc('hour', eventtime) "
     "ORDER BY n DESC, arn NULLS LAST, hour LIMIT 20"),
    ("assume_role_ips", "distinct source IPs per role assumed, top 20",
     "SELECT (requestparameters->>'roleArn') AS role, count(DISTINCT sourceipaddress) AS ips, "
     "count(*) AS n FROM cloudtrail WHERE eventname = 'AssumeRole' "
     "GROUP BY (requestparameters->>'roleArn') ORDER BY ips DESC, n DESC, role NULLS LAST LIMIT 20"),
    # The yardstick of `trawl hunt`'s cost: every row, three columns, three hash sets.
    ("full_scan", "full scan: distinct names, principals, addresses",
     "SELECT count(DISTINCT eventname) AS names, count(DISTINCT useridentity.arn) AS principals, "
     "count(DISTINCT sourceipaddress) AS addresses FROM cloudtrail"),
]
# Deterministic target of `principal_day`: the busiest principal, then its busiest day.
BUSIEST_ARN = ("SELECT useridentity.arn AS arn, count(*) AS n FROM cloudtrail "
               "WHERE useridentity.arn IS NOT NULL GROUP BY useridentity.arn ORDER BY n DESC, arn LIMIT 1")
BUSIEST_DAY = ("SELECT CAST(eventtime AS DATE) AS day, count(*) AS n FROM cloudtrail "
               "WHERE useridentity.arn = '{arn}' GROUP BY CAST(eventtime AS DATE) ORDER BY n DESC, day LIMIT 1")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Children
# --------------------------------------------------------------------------------------
def cell_text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def duck_child(job_path):
    import duckdb

    job = json.load(open(job_path))
    con = duckdb.connect()
    for s in job["setup"]:
        con.execute(s)
    t0 = time.perf_counter()
    cur = con.execute(job["sql"])
    rows = cur.fetchall()
    secs = time.perf_counter() - t0
    with open(job["csv"], "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([d[0] for d in cur.description])
        for r in rows:
            w.writerow([cell_text(v) for v in r])
    json.dump({"query_s": secs, "rows": len(rows)}, open(job["timing"], "w"))


def ceiling_child(archive, out):
    """Single-core ceilings: C zlib inflate, then a JSON parse (pysimdjson's full parse
    into its tape, or orjson building Python objects), timed per file. The compressed
    bytes are read outside the timers; one file's text is in memory at a time."""
    try:
        import simdjson

        parser = simdjson.Parser()
        parse = parser.parse
        from importlib.metadata import version

        name = f"pysimdjson {version('pysimdjson')}"
    except ImportError:
        import orjson

        parse = orjson.loads
        name = f"orjson {orjson.__version__}"
    files = sorted(glob.glob(os.path.join(archive, DELIVERY_GLOB)))
    gunzip = parse_s = 0.0
    out_bytes = records = 0
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        t0 = time.perf_counter()
        text = zlib.decompress(data, 31)  # wbits 31: a gzip member
        t1 = time.perf_counter()
        doc = parse(text)
        t2 = time.perf_counter()
        gunzip += t1 - t0
        parse_s += t2 - t1
        out_bytes += len(text)
        records += len(doc["Records"])
        del doc  # pysimdjson reuses its parser only once the last document is gone
    json.dump({"parser": name, "files": len(files), "json_bytes": out_bytes, "records": records,
               "gunzip_s": gunzip, "parse_s": parse_s, "both_s": gunzip + parse_s}, open(out, "w"))


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------
class Failed(Exception):
    pass


def measure(argv, stdout_path, ok=(0,)):
    """Runs one child; its own wall time, user+sys CPU and peak RSS (os.wait4)."""
    err_path = stdout_path + ".err"
    with open(stdout_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        tail = open(err_path, errors="replace").read()[-3000:]
        raise Failed(f"{' '.join(argv[:4])} ... exited {code}:\n{tail}")
    return {"wall_s": wall, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
            "cpu_s": ru.ru_utime + ru.ru_stime, "rss_kb": ru.ru_maxrss}


class Bench:
    def __init__(self, a):
        self.a = a
        self.py = sys.executable
        self.me = os.path.abspath(__file__)
        self.tmp = a.tmp
        self.answers = os.path.join(a.work, "compare-answers")
        shutil.rmtree(self.answers, ignore_errors=True)
        os.makedirs(self.answers)
        self.n = 0

    def path(self, name):
        self.n += 1
        return os.path.join(self.tmp, f"{self.n:04d}-{name}")

    def trawl(self, args, out=None, ok=(0,)):
        out = out or self.path("trawl.out")
        m = measure([self.a.bin, *args], out, ok)
        m["out"] = out
        return m

    def duck(self, setup, sql, csv_path=None):
        job = self.path("duck.json")
        csv_path = csv_path or job + ".csv"
        timing = job + ".timing"
        json.dump({"setup": DUCK_SETUP + setup, "sql": sql, "csv": csv_path, "timing": timing}, open(job, "w"))
        m = measure([self.py, self.me, "duck", job], job + ".out")
        m.update(json.load(open(timing)))
        m["out"] = csv_path
        return m

    def trawl_csv(self, source, sql):
        """An unmeasured trawl query (setup): its CSV rows without the header."""
        m = self.trawl(["sql", *source, "-c", sql, "--format", "csv"])
        return list(csv.reader(open(m["out"])))[1:]


def median(xs):
    return statistics.median(xs) if xs else None


def summarize(runs):
    keys = ["wall_s", "cpu_s", "user_s", "sys_s", "rss_kb", "query_s"]
    return {k: median([r[k] for r in runs]) for k in keys if runs and k in runs[0]}


def ratio_median(a_runs, b_runs, f):
    """Median over runs of f(trawl run i) / f(DuckDB run i): run i of both engines ran
    back to back, so they saw the same machine."""
    return median([f(a) / f(b) for a, b in zip(a_runs, b_runs)])


def dir_bytes(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


TS = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$")


def norm_cell(c):
    """One spelling of an instant for both engines: UTC, milliseconds, `Z`."""
    if TS.match(c):
        t = dt.datetime.fromisoformat(c.replace(" ", "T"))
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        t = t.astimezone(dt.timezone.utc)
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return c


def answer(path):
    rows = list(csv.reader(open(path, newline="")))[1:]  # headers differ (`count(*)`)
    return sorted(tuple(norm_cell(c) for c in r) for r in rows)


def compare_answers(name, t_path, d_path):
    a, b = answer(t_path), answer(d_path)
    if a == b:
        return "MATCH", None
    only_t = [r for r in a if r not in b][:3]
    only_d = [r for r in b if r not in a][:3]
    detail = f"{name}: trawl {len(a)} rows, DuckDB {len(b)}; only trawl {only_t}; only DuckDB {only_d}"
    log("MISMATCH " + detail)
    return "MISMATCH", detail


def commit_id(repo):
    """The checked-out commit, read from .git without running git."""
    if os.environ.get("COMMIT"):
        return os.environ["COMMIT"]
    try:
        head = open(os.path.join(repo, ".git", "HEAD")).read().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        p = os.path.join(repo, ".git", ref)
        if os.path.exists(p):
            return open(p).read().strip()[:12]
        for line in open(os.path.join(repo, ".git", "packed-refs")):
            if line.rstrip().endswith(" " + ref):
                return line.split()[0][:12]
    except OSError:
        pass
    return "unknown"


def machine(a):
    import duckdb

    mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    ver = subprocess.run([a.bin, "--version"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "ram_gib": round(mem / 2**20, 1), "cpu": cpu,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit_id(a.repo), "trawl": ver, "duckdb": duckdb.__version__,
            "python": sys.version.split()[0]}


def run(a):
    b = Bench(a)
    summary = {"machine": machine(a), "runs": a.runs, "archive": a.archive, "raw_archive": a.raw_archive}
    problems = []

    # ---- 1. conversion: trawl, DuckDB, trawl, DuckDB... each into a fresh directory ----
    trawl_lake = os.path.join(a.tmp, "trawl-lake")
    duck_out = os.path.join(a.tmp, "duck-out")
    conv_sql = "COPY (" + duck_select(a.archive) + ") TO '" + duck_out.replace("'", "''") + \
        "' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date))"
    t_runs, d_runs = [], []
    for i in range(a.runs):
        log(f"conversion run {i + 1}/{a.runs}: trawl")
        shutil.rmtree(trawl_lake, ignore_errors=True)
        m = b.trawl(["convert", a.archive, "--lake", trawl_lake, "--json"])
        m["summary"] = json.load(open(m["out"]))
        m["output_bytes"] = dir_bytes(trawl_lake)
        t_runs.append(m)
        log(f"  {m['wall_s']:.1f} s wall, {m['cpu_s']:.1f} s CPU; DuckDB")
        shutil.rmtree(duck_out, ignore_errors=True)
        m = b.duck([], conv_sql)
        m["rows_written"] = int(list(csv.reader(open(m["out"])))[1][0])
        m["output_bytes"] = dir_bytes(duck_out)
        d_runs.append(m)
        log(f"  {m['wall_s']:.1f} s wall, {m['cpu_s']:.1f} s CPU")
    ts = t_runs[-1]["summary"]
    records, json_bytes = ts["records"]["read"], ts["bytes"]["json"]
    # Row check, untimed: what DuckDB wrote, read back, against the records trawl read.
    check = b.duck([], "SELECT count(*) AS n FROM read_parquet('"
                   + os.path.join(duck_out, "*", "*.parquet") + "', hive_partitioning = true)")
    duck_rows = int(list(csv.reader(open(check["out"])))[1][0])
    # Columns: DuckDB's output against trawl's lake (top level).
    cols = {}
    for eng, src in (("trawl", os.path.join(trawl_lake, "cloudtrail", "*", "*.parquet")),
                     ("duckdb", os.path.join(duck_out, "*", "*.parquet"))):
        c = b.duck([], f"SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('{src}', hive_partitioning = true))")
        cols[eng] = [r[0] for r in list(csv.reader(open(c["out"])))[1:]]
    missing = [c for c in cols["trawl"] if c not in cols["duckdb"]]
    rows_ok = duck_rows == records and all(r["rows_written"] == records for r in d_runs)
    if not rows_ok:
        problems.append(f"ROW COUNT MISMATCH: trawl read {records} records, DuckDB wrote "
                        f"{[r['rows_written'] for r in d_runs]} (read back: {duck_rows})")
        log("!" * 70 + "\n" + problems[-1] + "\n" + "!" * 70)
    log(f"rows: trawl records.read {records} (written {ts['records']['written']}, duplicates "
        f"{ts['records']['duplicates']}), DuckDB {duck_rows}: {'MATCH' if rows_ok else 'MISMATCH'}")
    if missing:
        log(f"columns of trawl's lake missing from DuckDB's output: {missing}")
    summary["conversion"] = {
        "records_read": records, "records_written": ts["records"]["written"],
        "duplicates": ts["records"]["duplicates"], "files_read": ts["files"]["read"],
        "json_bytes": json_bytes, "duckdb_rows": duck_rows, "rows_match": rows_ok,
        "duckdb_missing_columns": missing, "duckdb_sql": conv_sql,
        "trawl": {"median": summarize(t_runs), "runs": [{k: v for k, v in r.items() if k != "out"} for r in t_runs]},
        "duckdb": {"median": summarize(d_runs), "runs": [{k: v for k, v in r.items() if k != "out"} for r in d_runs]},
        "ratio_events_per_cpu_s": ratio_median(t_runs, d_runs, lambda r: 1 / r["cpu_s"]),
        "ratio_wall": ratio_median(t_runs, d_runs, lambda r: r["wall_s"]),
    }
    shutil.rmtree(duck_out, ignore_errors=True)

    # ---- 2. single-core ceilings on the same archive ----
    c_runs = []
    for i in range(a.runs):
        log(f"ceilings run {i + 1}/{a.runs}")
        out = b.path("ceiling.json")
        m = measure([b.py, b.me, "ceiling", a.archive, out], out + ".out")
        m.update(json.load(open(out)))
        c_runs.append(m)
    cz = c_runs[0]
    if cz["records"] != records:
        problems.append(f"ceiling counted {cz['records']} records, trawl read {records}")
    trawl_per_cpu = records / summarize(t_runs)["cpu_s"]
    ceilings = {}
    for step in ("gunzip_s", "parse_s", "both_s"):
        secs = median([r[step] for r in c_runs])
        ceilings[step[:-2]] = {"seconds": secs, "mb_s": cz["json_bytes"] / 1e6 / secs,
                               "events_s": cz["records"] / secs,
                               "trawl_per_cpu_s_fraction": trawl_per_cpu / (cz["records"] / secs)}
    summary["ceilings"] = {"parser": cz["parser"], "files": cz["files"], "json_bytes": cz["json_bytes"],
                           "records": cz["records"], "steps": ceilings, "runs": c_runs}

    # ---- 3. queries: the same lake (trawl's) and the same raw archive for both ----
    sources = {
        "lake": (["--lake", trawl_lake], [duck_lake_view(trawl_lake)]),
        "raw": (["--raw", a.raw_archive], [duck_raw_view(a.raw_archive)]),
    }
    results = []
    for data, (t_src, d_setup) in sources.items():
        arn = b.trawl_csv(t_src, BUSIEST_ARN)[0][0]
        day = b.trawl_csv(t_src, BUSIEST_DAY.format(arn=arn.replace("'", "''")))[0][0]
        next_day = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
        params = {"arn": arn.replace("'", "''"), "day": day, "next_day": next_day}
        log(f"{data}: principal_day targets {arn} on {day}")
        for name, title, sql in QUERIES:
            sql = sql.format(**params)
            tq, dq = [], []
            for i in range(a.runs):
                log(f"{data} {name} run {i + 1}/{a.runs}")
                tq.append(b.trawl(["sql", *t_src, "-c", sql, "--format", "csv"],
                                  out=os.path.join(b.answers, f"{data}-{name}-trawl-{i}.csv")))
                dq.append(b.duck(d_setup, sql, csv_path=os.path.join(b.answers, f"{data}-{name}-duckdb-{i}.csv")))
            verdict, detail = compare_answers(f"{data} {name}", tq[0]["out"], dq[0]["out"])
            # Every later run must give the same answer as the first.
            for r in tq[1:] + dq[1:]:
                if answer(r["out"]) != answer((tq if r in tq else dq)[0]["out"]):
                    verdict, detail = "MISMATCH", f"{data} {name}: answers differ between runs"
            if detail:
                problems.append(detail)
            results.append({"query": name, "title": title, "data": data, "sql": sql, "answer": verdict,
                            "answer_rows": len(answer(tq[0]["out"])),
                            "trawl": {"median": summarize(tq), "runs": tq},
                            "duckdb": {"median": summarize(dq), "runs": dq},
                            "ratio_wall": ratio_median(tq, dq, lambda r: r["wall_s"])})
        if data == "lake":
            hq = []
            for i in range(a.runs):
                log(f"lake hunt run {i + 1}/{a.runs}")
                # Exit 4: findings at or above --fail-on were reported, the normal case here.
                hq.append(b.trawl(["hunt", "--lake", trawl_lake, "--format", "json", "--quiet"],
                                  out=os.path.join(b.answers, f"lake-hunt-trawl-{i}.json"), ok=(0, 4)))
            h = json.load(open(hq[0]["out"]))
            scan = next(r for r in results if r["data"] == "lake" and r["query"] == "full_scan")
            scans = summarize(hq)["wall_s"] / scan["trawl"]["median"]["wall_s"]
            results.append({"query": "hunt", "title": f"`trawl hunt` ({len(h['summary'])} detections)",
                            "data": "lake", "answer": "n/a", "answer_rows": len(h["findings"]),
                            "incidents": len(h.get("incidents", [])), "full_scans": scans,
                            "stages": h.get("stages"),
                            "trawl": {"median": summarize(hq), "runs": hq}, "duckdb": None})
    summary["queries"] = results
    raw_count = next(r for r in results if r["data"] == "raw" and r["query"] == "count")
    summary["raw_events"] = int(answer(raw_count["trawl"]["runs"][0]["out"])[0][0])
    summary["raw_files"] = len(glob.glob(os.path.join(a.raw_archive, DELIVERY_GLOB)))
    summary["problems"] = problems
    shutil.rmtree(trawl_lake, ignore_errors=True)

    json.dump(summary, open(a.summary, "w"), indent=2)
    print(report(summary))
    log(f"summary: {a.summary}; answers: {b.answers}")
    if problems:
        log("PROBLEMS:\n  " + "\n  ".join(problems))
        return 1
    return 0


def fmt_int(x):
    return f"{x:,.0f}"


def report(s):
    m, c, ce = s["machine"], s["conversion"], s["ceilings"]
    t, d = c["trawl"]["median"], c["duckdb"]["median"]
    ev, mb = c["records_read"], c["json_bytes"] / 1e6
    L = []
    L.append(f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM. {m['date']}. "
             f"Commit {m['commit']}, {m['trawl']}, DuckDB {m['duckdb']} (Python {m['python']} package). "
             f"Median of {s['runs']} run(s) each, engines alternating run by run; ratios are medians of "
             f"per-run ratios. Whole-process figures from the child's own rusage (wall, user+sys CPU, "
             f"peak RSS); DuckDB runs as a Python child, its in-process time is the statement alone.")
    L.append("")
    L.append(f"### Conversion: {fmt_int(ev)} events, {fmt_int(c['files_read'])} gzipped files, "
             f"{mb:,.0f} MB of JSON")
    L.append("")
    L.append("| engine | wall s | CPU s | events/s | events per CPU-s | MB/s of JSON | peak RSS | output |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, x, runs in (("trawl `convert`", t, c["trawl"]["runs"]), ("DuckDB `COPY ... PARTITION_BY`", d, c["duckdb"]["runs"])):
        out = median([r["output_bytes"] for r in runs]) / 1e6
        L.append(f"| {name} | {x['wall_s']:.1f} | {x['cpu_s']:.1f} | {fmt_int(ev / x['wall_s'])} | "
                 f"{fmt_int(ev / x['cpu_s'])} | {mb / x['wall_s']:.1f} | {x['rss_kb'] / 1024:,.0f} MB | {out:,.0f} MB |")
    L.append(f"| DuckDB, `COPY` statement alone | {d['query_s']:.1f} | | {fmt_int(ev / d['query_s'])} | | "
             f"{mb / d['query_s']:.1f} | | |")
    L.append("")
    L.append(f"trawl / DuckDB: events per CPU-second **{c['ratio_events_per_cpu_s']:.2f}x**, wall time "
             f"**{c['ratio_wall']:.2f}x** (below 1: trawl is faster). Rows: trawl read {fmt_int(ev)} records "
             f"(wrote {fmt_int(c['records_written'])} after dropping {fmt_int(c['duplicates'])} duplicates), "
             f"DuckDB wrote {fmt_int(c['duckdb_rows'])}: **{'MATCH' if c['rows_match'] else 'MISMATCH'}**. "
             f"DuckDB neither sorts nor de-duplicates and writes no `eventjson` (the raw text of each "
             f"event, kept by trawl): all three favour DuckDB. DuckDB: `read_json(format = 'unstructured', "
             f"records = true, columns = <explicit schema>)`, `unnest`, `COPY ... (FORMAT parquet, COMPRESSION "
             f"zstd, PARTITION_BY (date))`, its defaults otherwise (threads = cores)."
             + (f" Columns of trawl's lake absent from DuckDB's output: {', '.join(c['duckdb_missing_columns'])}."
                if c["duckdb_missing_columns"] else ""))
    L.append("")
    L.append(f"### Single-core ceilings on the same archive ({ce['files']:,} files, Python's C zlib, {ce['parser']})")
    L.append("")
    L.append("| step | seconds | MB/s of JSON | events/s | trawl's events per CPU-s as a share |")
    L.append("|---|---:|---:|---:|---:|")
    for step, label in (("gunzip", "gunzip (zlib inflate)"), ("parse", "JSON parse"), ("both", "gunzip + parse")):
        x = ce["steps"][step]
        L.append(f"| {label} | {x['seconds']:.2f} | {x['mb_s']:.0f} | {fmt_int(x['events_s'])} | "
                 f"{100 * x['trawl_per_cpu_s_fraction']:.0f}% |")
    L.append("")
    L.append("### Queries: trawl's lake (both engines read the same Parquet files) and the raw archive")
    L.append("")
    L.append("| query | data | trawl s | DuckDB s | DuckDB statement s | trawl / DuckDB wall | trawl / DuckDB statement | trawl CPU s | DuckDB CPU s | trawl RSS | DuckDB RSS | answers |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in s["queries"]:
        tm = r["trawl"]["median"]
        if r["duckdb"] is None:
            L.append(f"| {r['title']} | {r['data']} | {tm['wall_s']:.2f} | no equivalent | | | | {tm['cpu_s']:.2f} | | "
                     f"{tm['rss_kb'] / 1024:,.0f} MB | | {r['answer_rows']} findings, {r.get('incidents', 0)} incidents; "
                     f"**{r['full_scans']:.1f} full scans** of trawl's |")
            continue
        dm = r["duckdb"]["median"]
        ans = r["answer"] if r["answer"] == "MATCH" else f"**{r['answer']}**"
        L.append(f"| {r['title']} | {r['data']} | {tm['wall_s']:.2f} | {dm['wall_s']:.2f} | {dm['query_s']:.2f} | "
                 f"{r['ratio_wall']:.2f} | {tm['wall_s'] / max(dm['query_s'], 1e-3):.1f} | {tm['cpu_s']:.2f} | {dm['cpu_s']:.2f} | {tm['rss_kb'] / 1024:,.0f} MB | "
                 f"{dm['rss_kb'] / 1024:,.0f} MB | {ans} ({r['answer_rows']} rows) |")
    L.append("")
    L.append(f"Lake: trawl's own, converted above ({fmt_int(c['records_written'])} events); DuckDB reads it with "
             f"`read_parquet(..., hive_partitioning = true)`. Raw: `trawl sql --raw` against DuckDB `read_json` "
             f"with the same explicit schema, de-duplicated like trawl's (`DISTINCT ON` account, region, time, "
             f"event id), over `{os.path.basename(s['raw_archive'])}` ({fmt_int(s['raw_events'])} events, "
             f"{fmt_int(s['raw_files'])} gzipped files), read whole by every query. `DuckDB s` is the whole "
             f"Python child (about 0.3 s of it is starting Python and importing duckdb); `DuckDB statement s` "
             f"is execute + fetchall alone. Answers: both engines' CSV rows, timestamps in one spelling, sorted.")
    if s["problems"]:
        L.append("")
        L.append("**Problems:** " + "; ".join(s["problems"]))
    return "\n".join(L)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "duck":
        return duck_child(sys.argv[2])
    if len(sys.argv) > 1 and sys.argv[1] == "ceiling":
        return ceiling_child(sys.argv[2], sys.argv[3])
    if len(sys.argv) > 1 and sys.argv[1] == "select":  # DuckDB's SELECT, to read or run by hand
        print(duck_select(sys.argv[2]))
        return 0
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["run"])
    p.add_argument("--bin", required=True)
    p.add_argument("--archive", required=True)
    p.add_argument("--raw-archive", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--tmp", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    a = p.parse_args()
    try:
        return run(a)
    except Failed as e:
        log(f"FAILED: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
