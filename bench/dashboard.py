"""Dashboard benchmark: page render times on a city-sized PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicdesk_bench \\
        python bench/dashboard_data.py --cases 1000000          # once: fill the database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicdesk_bench \\
        python bench/dashboard.py [--runs 15] [--full-refresh]

Target (issue 5): with 1,000,000 cases and 2,000,000 events, each dashboard page renders in
under 300 ms at the median, warm, on a 2-core machine. Pages are requested in-process through
Django's test client as a logged-in leader (the whole request: middleware, queries,
templates), a few times to warm up and then `--runs` times, all pages interleaved round by
round so that a noisy neighbour slows every page alike. Next to them, in the same process, two
baselines: the login page (no query worth the name: the floor of any page) and the live rates
table of /evaluation/ over the same 30 days (what the dashboard's table costs without the
pre-aggregated figures). Results go to docs/benchmarks.md by hand, with date and machine.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dashboard_data


def _pages(today, department: str) -> list[tuple[str, str]]:
    month = f"since={today - timedelta(days=29)}&until={today}"
    year = f"since={today - timedelta(days=364)}&until={today}"
    return [
        ("baseline: login page", "/accounts/login/"),
        ("baseline: live rates table, 30 days", f"/evaluation/?{month}"),
        ("dashboard, default (month so far)", "/dashboard/staff/"),
        ("dashboard, 30 days", f"/dashboard/staff/?{month}"),
        ("dashboard, 365 days", f"/dashboard/staff/?{year}"),
        ("dashboard, 365 days, one department", f"/dashboard/staff/?{year}&unit={department}"),
        ("public dashboard, 365 days", f"/dashboard/?{year}"),
        ("problems (loaded into the page), 365 days", f"/dashboard/staff/problems/?{year}"),
        ("map squares (loaded into the page), 365 days", f"/dashboard/staff/map.json?{year}"),
        ("drill-down: cases received, 30 days", f"/dashboard/staff/cases/?{month}"),
        (
            "drill-down: response rate counted, 365 days, one department",
            f"/dashboard/staff/cases/?{year}&unit={department}&rate=response&part=numerator",
        ),
        (
            "drill-down: resolution rate of, 365 days, page 20",
            f"/dashboard/staff/cases/?{year}&rate=resolution&part=denominator&page=20",
        ),
        ("export XLSX, 365 days", f"/dashboard/staff/export.xlsx?{year}"),
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page")
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild every day's figures first (timed)"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("error: set DATABASE_URL to the filled PostgreSQL database", file=sys.stderr)
        return 2
    os.environ.setdefault("CIVICDESK_ALLOWED_HOSTS", "testserver")
    dashboard_data.configure(url)

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from civicdesk.accounts.models import Role, User
    from civicdesk.cases.models import Case, CaseEvent
    from civicdesk.dashboard import aggregate
    from civicdesk.dashboard.models import RateStat, RatingStat, VolumeStat
    from civicdesk.evaluation.rates import appraised_units

    cases, events = Case.objects.count(), CaseEvent.objects.count()
    print(f"{cases:,} cases, {events:,} case events in {connection.settings_dict['NAME']}")
    if args.full_refresh or aggregate.last_refresh() is None:
        started = time.perf_counter()
        done = aggregate.refresh(full=True)
        print(f"full refresh: {done.days} days in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    done = aggregate.refresh()
    print(f"incremental refresh: {done.days} days in {time.perf_counter() - started:.1f} s")
    print(
        f"pre-aggregated rows: {VolumeStat.objects.count():,} volume, "
        f"{RateStat.objects.count():,} rate, {RatingStat.objects.count():,} rating"
    )

    leader = User.objects.filter(role=Role.LEADER, is_active=True).first()
    client = Client()
    client.force_login(leader)
    department = appraised_units().filter(kind="department").order_by("code").first()
    pages = _pages(timezone.localdate(), department.code)
    for _round in range(args.warmup):
        for _label, path in pages:
            response = client.get(path, secure=True)
            if response.status_code != 200:
                print(f"error: {path} answered {response.status_code}", file=sys.stderr)
                return 1
    timings: dict[str, list[float]] = {label: [] for label, _path in pages}
    for _round in range(args.runs):
        for label, path in pages:
            started = time.perf_counter()
            client.get(path, secure=True)
            timings[label].append((time.perf_counter() - started) * 1000)

    live = statistics.median(timings["baseline: live rates table, 30 days"])
    print()
    print("| page | median ms | p90 ms | min ms | median / live rates table |")
    print("|---|---|---|---|---|")
    for label, values in timings.items():
        median = statistics.median(values)
        print(
            f"| {label} | {median:.0f} | {_percentile(values, 0.9):.0f} | {min(values):.0f} "
            f"| {median / live:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
