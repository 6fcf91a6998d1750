"""Online hall benchmark: the process figures page and its neighbours at 1,000,000 applications.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicdesk_h9 \\
        python bench/hall_data.py --applications 1000000        # once: fill the database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicdesk_h9 \\
        python bench/hall.py [--runs 15] [--warmup 3]

Target (issue 18): the figures page (process figures per matter and step: median and p90
step time, queue, steps per application, materials asked after the first notice, each
version beside the one before) renders in under 300 ms at the median, warm. Pages are
requested in-process through Django's test client (middleware, queries, templates: the whole
request), all pages interleaved round by round so that a noisy neighbour slows each alike.
Next to them: the login page (the floor of any page), a live computation of the same step
medians straight from the step runs (what the page would cost without the kept figures), and
the cost of keeping them: one step completion's figure refresh. Results go to
docs/benchmarks.md by hand, with date and machine.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dashboard_data

PAGES = [
    ("baseline: login page", "/accounts/login/", "leader"),
    ("hall figures page (staff)", "/hall/staff/figures/", "leader"),
    ("hall figures (API)", "/api/v1/hall/staff/figures", "token"),
    ("service catalogue (public list, 90 days)", "/services/", None),
    ("catalogue item with step times (public)", "/services/food-license/", None),
    ("catalogue staff figures, 90 days", "/services/staff/", "leader"),
    ("applications list, first page", "/hall/staff/", "leader"),
    ("integrity: stuck at one desk (logged)", "/integrity/stuck/", "discipline"),
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _live_medians() -> None:
    """The baseline: every step's median and p90 computed from the runs at request time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT step_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY handle_seconds),"
            " percentile_disc(0.9) WITHIN GROUP (ORDER BY handle_seconds),"
            " percentile_disc(0.5) WITHIN GROUP (ORDER BY queue_seconds)"
            " FROM applications_steprun WHERE handle_seconds IS NOT NULL GROUP BY step_id"
        )
        cursor.fetchall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("error: set DATABASE_URL to the filled PostgreSQL database", file=sys.stderr)
        return 2
    os.environ.setdefault("CIVICDESK_ALLOWED_HOSTS", "testserver")
    dashboard_data.configure(url)

    from django.db import connection, transaction
    from django.test import Client

    from civicdesk.accounts.models import ApiToken, User
    from civicdesk.applications import figures
    from civicdesk.applications.models import Application, ProcessStep

    count = Application.objects.count()
    clients = {}
    for name, username in (("leader", "leader"), ("discipline", "discipline")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[name] = client
    _token, raw = ApiToken.issue(user=User.objects.get(username="leader"), name="bench")
    clients["token"] = Client(headers={"Authorization": f"Bearer {raw}"})
    clients[None] = Client()

    timings: dict[str, list[float]] = {name: [] for name, _p, _c in PAGES}
    extra = {
        "baseline: live step medians from the runs (SQL only)": [],
        "keeping: one step's figure refresh (largest step)": [],
    }
    largest = (
        ProcessStep.objects.filter(kind="review")
        .order_by("version__item__code", "version__number")
        .first()
    )
    for round_number in range(args.warmup + args.runs):
        for name, path, who in PAGES:
            tick = time.perf_counter()
            response = clients[who].get(path, secure=True)
            elapsed = time.perf_counter() - tick
            assert response.status_code == 200, (path, response.status_code)
            if round_number >= args.warmup:
                timings[name].append(elapsed)
        if round_number >= args.warmup:
            tick = time.perf_counter()
            _live_medians()
            extra["baseline: live step medians from the runs (SQL only)"].append(
                time.perf_counter() - tick
            )
            tick = time.perf_counter()
            with transaction.atomic():
                figures.step_figure_refresh(largest.pk)
            extra["keeping: one step's figure refresh (largest step)"].append(
                time.perf_counter() - tick
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM applications_steprun WHERE step_id = %s", [largest.pk])
        (largest_runs,) = cursor.fetchone()
    print(
        f"{count:,} applications; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; runs {args.runs}"
    )
    print(f"largest step: {largest} ({largest_runs:,} runs)")
    print("| page | median ms | p90 ms | min ms |")
    print("|---|---|---|---|")
    for name, values in {**timings, **extra}.items():
        values = [v * 1000 for v in values]
        print(
            f"| {name} | {statistics.median(values):,.0f} | {_percentile(values, 0.9):,.0f} "
            f"| {min(values):,.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
