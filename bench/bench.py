"""Load benchmark: the portal under gunicorn, production settings, PostgreSQL, wrk on loopback.

    make bench                                   # national data, then the 19-Trust demo
    .venv/bin/python bench/bench.py --duration 5 --skip-demo

For each scale (national: a database built by `seed_scale`; demo: one built by `seed_demo`) it
starts gunicorn with DJANGO_DEBUG=false on 127.0.0.1, signs in one user per role through the
real sign-in form, and drives each key page with wrk (fixed connections, fixed duration) in a
second process. It prints p50, p95, requests/s and errors per page, the same for a trivial
signed-in page in the same run, each page's p95 ÷ the trivial p95, each page's query count
(one request through Django's test client against the same database), then national ÷ demo.
At national scale it then times the report workers' jobs (one Trust's report files, the
regional compendium), each in a fresh process: wall time and peak memory.
Results go to bench/RESULTS.md (and bench/results/<time>.json). See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
PER_PAGE = 25
PASSWORD = os.environ.get("DEMO_PASSWORD", "clm-demo-2026")
ADMIN_EMAIL = "bench.admin@example.com"
LOGINS = {
    "trainee": "trainee.rk9@example.com",
    "clm": "clm.rk9@example.com",
    "trust_admin": "admin.rk9@example.com",
    "deanery": "deanery@example.com",
    "admin": ADMIN_EMAIL,
}
GOAL_RATIO, GOAL_MS, GOAL_GROWTH, GOAL_DEEP, GOAL_VS_ADMIN = 5, 300, 1.5, 2, 3
# The report workers (issue 10): one Trust's report files, the regional compendium, and the
# peak memory of the process that makes them.
GOAL_TRUST_S, GOAL_COMPENDIUM_S, GOAL_WORKER_MB = 10, 60, 512

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d %d\\n",
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
end
"""


def pages(facts: dict) -> list[tuple[str, str, str]]:
    """(name, role, path) of each key page; the trivial page first."""
    rk9 = facts["rk9"]
    since = facts["filter_from"]
    last = facts["last_year"]
    return [
        ("Trivial page (floor)", "clm", "/bench/trivial/"),
        ("CLM home", "clm", "/"),
        ("CLM log, first page", "clm", "/activity/"),
        ("CLM log, filtered", "clm", f"/activity/?responsibility=forum&date_from={since}"),
        ("CLM log, last page", "clm", f"/activity/?page={facts['clm_last']}"),
        ("Deanery log, first page", "deanery", "/activity/"),
        ("Deanery log, filtered", "deanery", f"/activity/?trust={rk9}&responsibility=forum"),
        ("Deanery log, last page", "deanery", f"/activity/?page={facts['deanery_last']}"),
        ("Time page (CLM)", "clm", "/activity/time/"),
        ("Trust's people (admin)", "trust_admin", "/people/"),
        (
            "Django admin, same filter",
            "admin",
            f"/admin/mentors/activity/?trust__id__exact={rk9}&responsibility__exact=forum",
        ),
        # Leadership opportunities (issue 8).
        ("Trainee home (suggestions)", "trainee", "/"),
        ("Opportunity search", "trainee", "/opportunities/"),
        (
            "Opportunity search, filtered",
            "trainee",
            "/opportunities/?filtered=1&kind=qi_project&places_left=on&sort=newest",
        ),
        ("Manage opportunities (CLM)", "clm", "/opportunities/manage/"),
        ("Fair access (CLM)", "clm", "/opportunities/fair-access/"),
        ("Fair access, every Trust (deanery)", "deanery", "/opportunities/fair-access/"),
        # Surveys (issue 9).
        ("Survey results (deanery)", "deanery", f"/surveys/{facts['survey_round']}/results/"),
        ("Survey results (CLM)", "clm", f"/surveys/{facts['survey_round']}/results/"),
        # Reports (issue 10): the regional dashboard (every Trust), a Trust's dashboard, the
        # last complete year's report of RK9 (25,000 entries at national scale) and the
        # deanery's list of every Trust's report for that year.
        ("Regional dashboard (deanery)", "deanery", "/reports/region/"),
        ("Trust dashboard (CLM)", "clm", "/reports/trusts/RK9/"),
        ("Year-end report (CLM)", "clm", f"/reports/year-end/{last}/RK9/"),
        ("Year-end reports, every Trust (deanery)", "deanery", f"/reports/year-end/{last}/"),
    ]


def worker_jobs(facts: dict) -> list[tuple[str, dict, float]]:
    """(name, job, goal in seconds) of each report worker's job timed at national scale."""
    year = facts["last_year"]
    entries = f"{facts['rk9_last_year_entries']:,} entries"
    return [
        (
            f"Trust report files, RK9 {year} (as submitted: its snapshot)",
            {"ods": "RK9", "year": year, "live": False},
            GOAL_TRUST_S,
        ),
        (
            f"Trust report files, RK9 {year} (live figures, {entries})",
            {"ods": "RK9", "year": year, "live": True},
            GOAL_TRUST_S,
        ),
        (
            f"Regional compendium files, {year} ({facts['trusts']} Trusts)",
            {"ods": None, "year": year, "live": False},
            GOAL_COMPENDIUM_S,
        ),
    ]


# --- PostgreSQL and the two databases ---------------------------------------------------------


def pg_server(url: str, dbname: str = "postgres"):
    import psycopg2

    parts = urlsplit(url)
    return psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=dbname,
        connect_timeout=3,
    )


def vacuum(server: str, name: str) -> None:
    """VACUUM (ANALYZE) the database, as autovacuum keeps a database in service: planner
    statistics, and the visibility map that lets a count be read off an index alone. A
    freshly seeded database has neither until autovacuum gets to it, which on a server
    with autovacuum off (as here) is never. Quick when nothing has changed since."""
    conn = pg_server(server, name)
    conn.autocommit = True
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    conn.close()
    print(f"  VACUUM (ANALYZE) {name}: {time.perf_counter() - started:.1f} s", flush=True)


def database_url(server: str, name: str) -> str:
    return f"{server.rstrip('/')}/{name}"


def ensure_database(server: str, name: str) -> None:
    conn = pg_server(server)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def manage(env: dict, *args: str, quiet: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    return result.stdout


def prepare(server: str, name: str, scale: str, seed_args: list[str]) -> dict:
    """Create, migrate and (if empty) seed the database; return the facts the URLs need."""
    ensure_database(server, name)
    env = {**os.environ, "DATABASE_URL": database_url(server, name), "DJANGO_DEBUG": "true"}
    manage(env, "migrate", "--no-input", "-v0")
    probe = (
        "from trusts.models import User; from mentors.models import Activity;"
        "print(User.objects.count(), Activity.objects.count())"
    )
    users, _ = map(int, manage(env, "shell", "-v0", "-c", probe).strip().splitlines()[-1].split())
    if users == 0:
        started = time.perf_counter()
        if scale == "national":
            print(f"Seeding {name} with seed_scale {' '.join(seed_args)} ...", flush=True)
            manage(env, "seed_scale", *seed_args)
        else:
            print(f"Seeding {name} with seed_demo ...", flush=True)
            manage(env, "seed_demo", "--quiet-logins")
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    vacuum(server, name)
    setup = f"""
import math
from allauth.account.models import EmailAddress
from django.db.models import Min
from django.utils import timezone
from mentors.models import Activity, training_year_start
from surveys.models import Round
from trusts.models import Trust, User
admin, _ = User.objects.get_or_create(email={ADMIN_EMAIL!r}, defaults={{"name": "Bench admin"}})
admin.is_staff = admin.is_superuser = True
admin.set_password({PASSWORD!r})
admin.save()
EmailAddress.objects.get_or_create(user=admin, email=admin.email,
                                   defaults={{"verified": True, "primary": True}})
rk9 = Trust.objects.get(ods_code="RK9")
total = Activity.objects.count()
mine = Activity.objects.filter(trust=rk9).count()
first = Activity.objects.filter(trust=rk9).aggregate(m=Min("date"))["m"]
survey = Round.objects.published().order_by("-year", "-opens_on").first()
last_year = training_year_start(timezone.localdate()).year - 1
in_last_year = Activity.objects.filter(trust=rk9, date__gte=f"{{last_year}}-08-01",
                                       date__lte=f"{{last_year + 1}}-07-31").count()
print(json.dumps({{"rk9": rk9.pk, "entries": total, "rk9_entries": mine,
  "last_year": last_year, "rk9_last_year_entries": in_last_year,
  "people": User.objects.count(), "trusts": Trust.objects.count(),
  "clm_last": max(1, math.ceil(mine / {PER_PAGE})),
  "deanery_last": max(1, math.ceil(total / {PER_PAGE})),
  "filter_from": (first.replace(year=first.year + 1) if first else None).isoformat(),
  "survey_round": survey.slug if survey else None}}))
"""
    out = manage(env, "shell", "-v0", "-c", "import json\n" + setup)
    return json.loads(out.strip().splitlines()[-1])


# --- the server, signing in, the load --------------------------------------------------------


def server_env(server: str, name: str, port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url(server, name),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Loopback without TLS: the load generator says https as a TLS proxy would.
        "DJANGO_BEHIND_PROXY": "true",
        "REQUIRE_MFA": "false",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "DEMO_PASSWORD": PASSWORD,
    }


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            GUNICORN,
            "clm_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status, _, _ = request(port, "GET", "/healthz", {})
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s.")


def request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers={"X-Forwarded-Proto": "https", **headers})
    response = conn.getresponse()
    content = response.read().decode("utf-8", "replace")
    cookies = {}
    for key, value in response.getheaders():
        if key.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            name, _, val = pair.partition("=")
            cookies[name.strip()] = val.strip()
    conn.close()
    return response.status, cookies, content


def sign_in(port: int, email: str) -> str:
    """Sign in through allauth's form; return the Cookie header of the session."""
    status, cookies, html = request(port, "GET", "/accounts/login/", {})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if status != 200 or token is None:
        raise SystemExit(f"The sign-in page answered {status}.")
    from urllib.parse import urlencode

    origin = f"https://127.0.0.1:{port}"
    status, new, _ = request(
        port,
        "POST",
        "/accounts/login/",
        {
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": f"{origin}/accounts/login/",
        },
        urlencode({"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}),
    )
    if status != 302 or "sessionid" not in new:
        raise SystemExit(f"Signing in as {email} failed ({status}).")
    return f"sessionid={new['sessionid']}; csrftoken={new.get('csrftoken', cookies['csrftoken'])}"


def load(port: int, path: str, cookie: str, args) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "60s",
                "-s",
                script.name,
                "-H",
                f"Cookie: {cookie}",
                "-H",
                "X-Forwarded-Proto: https",
                f"http://127.0.0.1:{port}{path}",
            ],
            check=True,
            text=True,
            capture_output=True,
            timeout=args.duration + 120,
        ).stdout
    finally:
        os.unlink(script.name)
    fields = next(line for line in out.splitlines() if line.startswith("BENCH ")).split()[1:]
    p50, p95, requests, duration, *errors = map(int, fields)
    if requests < 3:
        # Slower than the run is long: time a few requests one after another instead.
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            request(port, "GET", path, {"Cookie": cookie})
            timings.append(time.perf_counter() - started)
        timings.sort()
        return {
            "p50_ms": round(timings[1] * 1000, 1),
            "p95_ms": round(timings[2] * 1000, 1),
            "rps": round(3 / sum(timings), 2),
            "requests": requests,
            "errors": sum(errors),
            "note": "under 3 requests in the run: 3 sequential requests timed",
        }
    return {
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "rps": round(requests / (duration / 1e6), 1) if duration else 0.0,
        "requests": requests,
        "errors": sum(errors),
    }


QUERY_COUNTER = """
import json, sys
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from trusts.models import User
result = {}
for name, email, path in json.loads(sys.stdin.read()):
    client = Client()
    client.force_login(User.objects.get(email=email),
                       backend="django.contrib.auth.backends.ModelBackend")
    client.get(path, secure=True, HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, secure=True, HTTP_HOST="127.0.0.1")
    result[name] = len(ctx.captured_queries) if response.status_code == 200 else None
print("QUERIES " + json.dumps(result))
"""


def count_queries(env: dict, plan: list[tuple[str, str, str]]) -> dict:
    """Each page's query count: one request through Django's test client, same database."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(QUERY_COUNTER)
    try:
        out = subprocess.run(
            [PYTHON, "manage.py", "shell", "-v0", "-c", f"exec(open({script.name!r}).read())"],
            cwd=ROOT,
            env=env,
            input=json.dumps([(n, LOGINS[r], p) for n, r, p in plan]),
            check=True,
            text=True,
            capture_output=True,
        ).stdout
    finally:
        os.unlink(script.name)
    return json.loads(next(x for x in out.splitlines() if x.startswith("QUERIES "))[8:])


WORKER_JOB = """
import json, resource, sys, time, uuid
from django.db import transaction
from django.utils import timezone
from reports.models import Generation, ReportStatus, YearEndReport
from trusts.models import Trust
job = json.loads(sys.stdin.read())
started_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:
    import reports.documents  # noqa: F401
    missing = None
except ImportError as error:
    missing = str(error)
trust = Trust.objects.get(ods_code=job["ods"]) if job["ods"] else None
result = {}
# Rolled back at the end: the benchmark leaves the database as it found it (the files go to
# a temporary MEDIA_ROOT).
with transaction.atomic():
    if trust is not None and job["live"]:
        # As a draft or returned report: its figures worked out from the log, not the snapshot.
        YearEndReport.objects.filter(trust=trust, year=job["year"]).update(
            status=ReportStatus.RETURNED
        )
    report = YearEndReport.objects.filter(trust=trust, year=job["year"]).first() if trust else None
    result["report_status"] = report.status if report else None
    began = time.perf_counter()
    if missing is None:
        from reports.tasks import generate_report_task
        kind = Generation.Kind.TRUST if trust else Generation.Kind.REGION
        generation, _ = Generation.objects.update_or_create(
            kind=kind, year=job["year"], trust=trust,
            defaults={"queued_at": timezone.now(), "status": Generation.Status.QUEUED,
                      "request_id": uuid.uuid4(), "done_request_id": None},
        )
        # The task as a worker runs it: claim, build the PDF and XLSX, store them, mark done.
        outcome = generate_report_task.apply(
            kwargs={"generation_id": generation.pk, "request_id": str(generation.request_id)}
        ).get()
        result["seconds"] = round(time.perf_counter() - began, 2)
        generation.refresh_from_db()
        result.update(
            outcome=outcome, status=generation.status, message=generation.message[:300],
            made_from=generation.made_from, task_seconds=generation.seconds,
            pdf_kb=round(generation.pdf.size / 1024) if generation.pdf else None,
            xlsx_kb=round(generation.xlsx.size / 1024) if generation.xlsx else None,
        )
    else:
        from reports.content import compendium_content, trust_document
        if trust is not None:
            trust_document(trust=trust, year=job["year"], report=report)
        else:
            compendium_content(year=job["year"])
        result["seconds"] = round(time.perf_counter() - began, 2)
        result.update(outcome="figures only", status="done",
                      message=f"reports.documents is missing ({missing}): no files made")
    transaction.set_rollback(True)
result["start_mb"] = round(started_mb)
result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print("WORKER " + json.dumps(result))
"""


def time_workers(env: dict, facts: dict) -> list[dict]:
    """Each report worker's job in a fresh process against the same database, production
    settings and no Redis (tasks run in-process, nothing is published): wall time and the
    process's peak memory (ru_maxrss, Django's start-up included)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-media-") as media:
        job_env = {**env, "MEDIA_ROOT": media}
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
            script.write(WORKER_JOB)
        try:
            for name, job, goal in worker_jobs(facts):
                began = time.perf_counter()
                done = subprocess.run(
                    [
                        PYTHON,
                        "manage.py",
                        "shell",
                        "-v0",
                        "-c",
                        f"exec(open({script.name!r}).read())",
                    ],
                    cwd=ROOT,
                    env=job_env,
                    input=json.dumps(job),
                    text=True,
                    capture_output=True,
                    timeout=1800,
                )
                process_s = round(time.perf_counter() - began, 1)
                line = next((x for x in done.stdout.splitlines() if x.startswith("WORKER ")), None)
                if line is None:
                    error = (done.stderr.strip().splitlines() or ["no output"])[-1]
                    row = {"seconds": None, "peak_mb": None, "status": "error", "message": error}
                else:
                    row = json.loads(line[7:])
                row.update(job=name, goal_s=goal, process_s=process_s)
                rows.append(row)
                print(
                    f"  {name:<60} {row['seconds']} s  peak {row['peak_mb']} MB  "
                    f"{row['status']} {row.get('message') or ''}",
                    flush=True,
                )
        finally:
            os.unlink(script.name)
    return rows


def run_scale(args, scale: str, name: str) -> dict:
    seed_args = ["--no-progress"] if not sys.stderr.isatty() else []
    seed_args += args.seed_args.split()
    facts = prepare(args.server, name, scale, seed_args)
    print(
        f"\n== {scale}: database {name}: {facts['trusts']} Trusts, {facts['people']:,} people, "
        f"{facts['entries']:,} activity entries ({facts['rk9_entries']:,} in RK9) ==",
        flush=True,
    )
    env = server_env(args.server, name, args.port)
    plan = pages(facts)
    queries = count_queries(env, plan)
    proc = start_gunicorn(env, args.port, args.workers)
    try:
        cookies = {role: sign_in(args.port, email) for role, email in LOGINS.items()}
        rows = []
        for page, role, path in plan:
            status, _, _ = request(args.port, "GET", path, {"Cookie": cookies[role]})
            if status != 200:
                raise SystemExit(f"{page} ({path}) answered {status} for {LOGINS[role]}.")
            row = {
                "page": page,
                "path": path,
                "role": role,
                **load(args.port, path, cookies[role], args),
            }
            row["queries"] = queries.get(page)
            rows.append(row)
            print(
                f"  {page:<28} p50 {row['p50_ms']:>8} ms  p95 {row['p95_ms']:>8} ms  "
                f"{row['rps']:>7} req/s  errors {row['errors']}  queries {row['queries']}",
                flush=True,
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    floor = rows[0]["p95_ms"] or 0.1
    for row in rows:
        row["vs_trivial"] = round(row["p95_ms"] / floor, 1)
    workers = []
    if scale == "national" and not args.skip_workers:
        print("  report workers (a fresh process each):", flush=True)
        workers = time_workers(env, facts)
    return {"facts": facts, "rows": rows, "workers": workers}


# --- the report --------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    except OSError:
        mem = 0
    conn = None
    try:
        conn = pg_server(ARGS.server)
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            pg = cur.fetchone()[0]
    finally:
        if conn is not None:
            conn.close()
    return (
        f"{platform.node()}: {os.cpu_count()} × {cpu}, {mem} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {pg}"
    )


def table(result: dict, demo: dict | None) -> list[str]:
    lines = [
        "| page | p50 ms | p95 ms | req/s | errors | queries | p95 ÷ trivial | "
        + ("demo p95 ms | national ÷ demo | demo queries |" if demo else ""),
        "|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if demo else ""),
    ]
    demo_rows = {r["page"]: r for r in demo["rows"]} if demo else {}
    for r in result["rows"]:
        line = (
            f"| {r['page']} | {r['p50_ms']} | {r['p95_ms']} | {r['rps']} | {r['errors']} | "
            f"{r['queries']} | {r['vs_trivial']} |"
        )
        if demo:
            d = demo_rows[r["page"]]
            line += f" {d['p95_ms']} | {round(r['p95_ms'] / (d['p95_ms'] or 0.1), 1)} | {d['queries']} |"
        lines.append(line)
    return lines


def worker_table(result: dict) -> list[str]:
    lines = [
        "| job | seconds | task's own seconds | peak memory MB | status | made from | files |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for w in result.get("workers", []):
        files = (
            f"PDF {w.get('pdf_kb')} KB, XLSX {w.get('xlsx_kb')} KB"
            if w.get("pdf_kb") is not None
            else (w.get("message") or "")
        )
        lines.append(
            f"| {w['job']} | {w['seconds']} | {w.get('task_seconds', '')} | {w['peak_mb']} | "
            f"{w['status']} | {w.get('made_from', '')} | {files} |"
        )
    return lines


def worker_goals(result: dict) -> list[str]:
    out = []
    for w in result.get("workers", []):
        ok = w["status"] == "done" and w["seconds"] is not None and w["seconds"] < w["goal_s"]
        out.append(
            f"- {'HOLDS' if ok else 'MISSES'}: {w['job']}: {w['seconds']} s "
            f"(goal < {w['goal_s']} s of worker time){'' if w['status'] == 'done' else ' (' + w['status'] + ')'}"
        )
        ok = w["peak_mb"] is not None and w["peak_mb"] < GOAL_WORKER_MB
        out.append(
            f"- {'HOLDS' if ok else 'MISSES'}: {w['job']}: peak memory {w['peak_mb']} MB "
            f"(goal < {GOAL_WORKER_MB} MB)"
        )
    return out


def goals(result: dict, demo: dict | None) -> list[str]:
    rows = {r["page"]: r for r in result["rows"]}
    out = []
    floor = rows["Trivial page (floor)"]["p95_ms"]
    for r in result["rows"][1:]:
        ok = r["p95_ms"] <= GOAL_RATIO * floor and r["p95_ms"] < GOAL_MS
        out.append(
            f"- {'HOLDS' if ok else 'MISSES'}: {r['page']}: p95 {r['p95_ms']} ms = "
            f"{r['vs_trivial']}× trivial (goal ≤ {GOAL_RATIO}× and < {GOAL_MS} ms)"
        )
    for first, last in (
        ("CLM log, first page", "CLM log, last page"),
        ("Deanery log, first page", "Deanery log, last page"),
    ):
        ratio = rows[last]["p95_ms"] / (rows[first]["p95_ms"] or 0.1)
        out.append(
            f"- {'HOLDS' if ratio <= GOAL_DEEP else 'MISSES'}: {last} ÷ first page p95 = "
            f"{ratio:.1f} (goal ≤ {GOAL_DEEP})"
        )
    admin = rows["Django admin, same filter"]["p95_ms"]
    log = rows["Deanery log, filtered"]["p95_ms"]
    ratio = admin / (log or 0.1)
    out.append(
        f"- {'HOLDS' if ratio >= GOAL_VS_ADMIN else 'MISSES'}: the filtered log is {ratio:.1f}× "
        f"faster (p95) than the Django admin with the same filter (goal ≥ {GOAL_VS_ADMIN}×)"
    )
    if demo:
        demo_rows = {r["page"]: r for r in demo["rows"]}
        for r in result["rows"][1:]:
            d = demo_rows[r["page"]]
            growth = r["p95_ms"] / (d["p95_ms"] or 0.1)
            same = r["queries"] == d["queries"]
            out.append(
                f"- {'HOLDS' if growth <= GOAL_GROWTH and same else 'MISSES'}: {r['page']}: "
                f"national ÷ demo p95 = {growth:.1f} (goal ≤ {GOAL_GROWTH}); queries "
                f"{r['queries']} vs {d['queries']}{'' if same else ' (differ)'}"
            )
    return out + worker_goals(result)


def write_results(args, national: dict, demo: dict | None, command: str) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = [
        "# Benchmark results",
        "",
        f"- Date: {now}",
        f"- Machine: {machine()}",
        f"- Command: `{command}`",
        f"- Load: wrk, {args.threads} threads, {args.connections} connections, "
        f"{args.duration} s per page, loopback; gunicorn {args.workers} workers, "
        "DJANGO_DEBUG=false, REQUIRE_MFA=false, no Redis",
        f"- Load average when written: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(other work on the machine makes the floor and every page slower alike)",
        "",
        f"## National scale ({national['facts']['trusts']} Trusts, "
        f"{national['facts']['people']:,} people, {national['facts']['entries']:,} activity "
        "entries)",
        "",
        *table(national, demo),
        "",
    ]
    if national.get("workers"):
        text += [
            "## Report workers (national scale)",
            "",
            "Each job in a fresh process (`manage.py shell`) against the national database, "
            "DJANGO_DEBUG=false and no Redis: the Celery task `generate_report_task` run "
            "in-process on a queued `Generation` (claim, PDF and XLSX, store, done), rolled back "
            "afterwards. Seconds: the task; peak memory: the process's ru_maxrss, Django's "
            'start-up included. "Live figures": the report as a draft or returned report, '
            "its figures worked out from the log instead of read from the snapshot.",
            "",
            *worker_table(national),
            "",
        ]
    if demo:
        text += [
            f"## Demo scale ({demo['facts']['trusts']} Trusts, {demo['facts']['people']:,} "
            f"people, {demo['facts']['entries']:,} activity entries)",
            "",
            *table(demo, None),
            "",
        ]
    text += ["## Goals", "", *goals(national, demo), ""]
    return "\n".join(text)


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name (env BENCH_POSTGRES)",
    )
    parser.add_argument("--database", default="clm_bench", help="national-scale database")
    parser.add_argument("--demo-database", default="clm_bench_demo", help="demo-scale database")
    parser.add_argument("--skip-demo", action="store_true", help="national scale only")
    parser.add_argument("--seed-args", default="", help='e.g. "--trainees 5000 --trusts 40"')
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument(
        "--skip-workers", action="store_true", help="do not time the report workers' jobs"
    )
    args = ARGS = parser.parse_args()

    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk (Debian: apt-get install -y wrk)")
    if not Path(GUNICORN).exists():
        missing.append("gunicorn in the virtualenv (make setup)")
    try:
        pg_server(args.server).close()
    except Exception as error:  # noqa: BLE001 — any failure means no usable server
        missing.append(
            f"PostgreSQL at {args.server} ({str(error).strip().splitlines()[0]}); set "
            "BENCH_POSTGRES=postgres://user:password@host:port or --server"
        )
    if missing:
        raise SystemExit("The benchmark needs:\n  - " + "\n  - ".join(missing))

    # Production settings serve hashed static files: collect them (new files since last time).
    manage(server_env(args.server, args.database, args.port), "collectstatic", "--no-input", "-v0")

    command = "python bench/bench.py " + " ".join(sys.argv[1:])
    national = run_scale(args, "national", args.database)
    demo = None if args.skip_demo else run_scale(args, "demo", args.demo_database)
    report = write_results(args, national, demo, command.strip())
    print("\n" + report)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"{stamp}.json").write_text(json.dumps({"national": national, "demo": demo}, indent=2))
    if not args.no_write:
        (ROOT / "bench" / "RESULTS.md").write_text(report)
        print("Written to bench/RESULTS.md")


ARGS = None

if __name__ == "__main__":
    main()
