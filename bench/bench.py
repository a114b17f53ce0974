"""Server-side benchmark of the portal's busiest pages on a large, realistic database.

    make bench                      # SQLite file bench/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clm_bench make bench

Seeds the region's demo data once, pads every Trust's activity log to --entries, then requests
each page --repeat times through Django's test client (no network), printing the median and
95th-percentile time and the query count per page. Results go to bench/results/<time>.json so
runs can be compared. Speed is judged here, not in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clm_portal.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from mentors.demo import seed_activity  # noqa: E402
from mentors.models import Activity, Appointment, Responsibility, training_year_start  # noqa: E402
from trusts.demo import seed_people  # noqa: E402
from trusts.models import Trust, User  # noqa: E402
from trusts.reference import trusts_load  # noqa: E402

PAGES = [
    ("CLM home", "clm.rk9@example.com", "/"),
    ("Activity log (CLM)", "clm.rk9@example.com", "/activity/"),
    (
        "Activity log, page 20 sorted by hours",
        "clm.rk9@example.com",
        "/activity/?sort=-hours&page=20",
    ),
    ("Activity log (deanery, all Trusts)", "deanery@example.com", "/activity/"),
    ("Time against allocation", "clm.rk9@example.com", "/activity/time/"),
    ("Activity export CSV (one Trust)", "clm.rk9@example.com", "/activity/?_export=csv"),
    ("People (deanery)", "deanery@example.com", "/people/"),
    ("People filtered (Trust admin)", "admin.rk9@example.com", "/people/?role=trainee"),
    ("Trusts (deanery)", "deanery@example.com", "/trusts/"),
    ("Deanery home", "deanery@example.com", "/"),
]


def seed(entries_per_trust: int) -> None:
    call_command("migrate", verbosity=0)
    today = date.today()
    trusts_load()
    seed_people(password="bench", training_year_start=training_year_start(today))
    seed_activity(today=today)
    rng = random.Random(1)
    codes = Responsibility.values
    for trust in Trust.objects.all():
        have = Activity.objects.filter(trust=trust).count()
        appointment = Appointment.objects.filter(trust=trust).order_by("starts_on").first()
        if appointment is None or have >= entries_per_trust:
            continue
        first = max(appointment.starts_on, today - timedelta(days=3 * 365))
        span = max(1, (min(today, appointment.ends_on or today) - first).days)
        Activity.objects.bulk_create(
            [
                Activity(
                    trust=trust,
                    appointment=appointment,
                    logged_by=appointment.user,
                    date=first + timedelta(days=rng.randrange(span)),
                    responsibility=rng.choice(codes),
                    format="meeting",
                    minutes=rng.choice([30, 60, 90]),
                    trainees_reached=rng.randint(0, 20),
                    notes="Benchmark entry.",
                )
                for _ in range(entries_per_trust - have)
            ],
            batch_size=1000,
        )


def measure(repeat: int) -> list[dict]:
    setup_test_environment()
    results = []
    clients: dict[str, Client] = {}
    for name, email, url in PAGES:
        client = clients.get(email)
        if client is None:
            client = clients[email] = Client()
            client.force_login(User.objects.get(email=email))
        client.get(url)  # warm caches and template loading
        timings, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            queries = len(ctx.captured_queries)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        results.append(
            {
                "page": name,
                "url": url,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
                "queries": queries,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000, help="activity entries per Trust")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    args = parser.parse_args()
    started = time.perf_counter()
    seed(args.entries)
    print(
        f"Data: {Activity.objects.count()} activity entries, {User.objects.count()} people, "
        f"{connection.vendor} (seeded in {time.perf_counter() - started:.0f} s)\n"
    )
    results = measure(args.repeat)
    width = max(len(r["page"]) for r in results)
    print(f"{'page':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'queries':>7}")
    for r in results:
        print(f"{r['page']:<{width}}  {r['median_ms']:>9}  {r['p95_ms']:>7}  {r['queries']:>7}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"{stamp}.json").write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "entries": Activity.objects.count(),
                "results": results,
            },
            indent=2,
        )
    )
    print(f"\nSaved bench/results/{stamp}.json")


if __name__ == "__main__":
    main()
