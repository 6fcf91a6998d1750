"""Staff pages benchmark: server time of the inbox, queues and case page at 100,000 open cases.

Issue 15 asks that the server time of the inbox and case pages stays within 1.2x of what it was
before the workbench (commit 6bca30c^) at 100,000 open cases, measured in the same run:

    # once: fill the database (PostgreSQL, through bench/dashboard_data.py: 540,000 cases
    # received over the last 60 days leave about 100,000 open, with their closed neighbours,
    # events, follow-ups, ratings, the demo district's units and staff)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicdesk_staff_bench \\
        python bench/staff_pages.py --fill --cases 540000 --days 60
    # the baseline's code, checked out beside the repository
    git worktree add --detach /tmp/staff-base "$(git rev-parse 6bca30c^)"
    DATABASE_URL=… nice -n 10 python bench/staff_pages.py --baseline /tmp/staff-base

A SQLite file works too (DATABASE_URL=sqlite:///path): it must have been filled otherwise
(`--fill` writes with PostgreSQL's COPY); the benchmark itself only reads.

Each tree (the baseline's and this one) is timed in a process of its own, with that tree first
on the import path and the same interpreter and database; the two processes take turns request
by request (which goes first alternates), so that a noisy neighbour slows both alike. In each
process a clerk, a handler (of the unit with the most open cases) and a supervisor are logged
in through Django's test client and request their inbox (/staff/?page=1), their landing queue
(/staff/queues/<slug>/; before the workbench they landed on the inbox, /staff/), the queue
counts (/staff/queues/counts/) and a case page (/staff/cases/<pk>/, an open case of the
handler's unit taken on, with the most events): the whole request, middleware, queries and
templates. Pages the baseline does not have are timed on the current tree only. Medians, p90,
the ratio current / baseline and the queries of one request are printed as a Markdown table;
results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Role → the queue it lands on (civicdesk.core.landing).
LANDING = {"clerk": "to-route", "handler": "open", "supervisor": "overdue"}
ROLES = tuple(LANDING)
PAGES = ("inbox", "landing", "counts", "case")
# Before the workbench every role landed on the inbox (/staff/ without a query).
BASE_PATHS = {"landing": "/staff/", "counts": None}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _configure(url: str) -> None:
    import secrets

    import django

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
    os.environ.setdefault("CIVICDESK_DEBUG", "0")
    os.environ.setdefault("CIVICDESK_LOG_LEVEL", "WARNING")
    os.environ.setdefault("CIVICDESK_ALLOWED_HOSTS", "testserver")
    if not os.environ.get("CIVICDESK_SECRET_KEY"):
        os.environ["CIVICDESK_SECRET_KEY"] = secrets.token_urlsafe(50)
    django.setup()


# ---------------------------------------------------------------------------------------------
# Who and what is requested (chosen once, by the current tree, and handed to every process)


def choose(url: str) -> dict:
    """The users and the case: the first active clerk and supervisor, the handler of the unit
    with the most open cases, and that unit's open case, taken on, with the most events."""
    sys.path.insert(0, str(ROOT))
    _configure(url)
    from django.db.models import Count

    from civicdesk.accounts.models import Role, User
    from civicdesk.cases.models import Case
    from civicdesk.cases.workflow import OPEN_STATUSES, Status

    def first(role: str) -> User:
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is None:
            raise SystemExit(f"error: no active {role} in the database")
        return user

    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    handlers = User.objects.filter(role=Role.HANDLER, is_active=True, unit__isnull=False)
    busiest = (
        open_cases.filter(unit__in=handlers.values("unit"))
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise SystemExit("error: no open case in a unit with a handler; fill the database first")
    handler = handlers.filter(unit=busiest["unit"]).order_by("pk").first()
    recent = (
        open_cases.filter(unit=busiest["unit"], status=Status.IN_PROGRESS)
        .order_by("-received_at")
        .values_list("pk", flat=True)[:200]
    )
    case = (
        Case.objects.filter(pk__in=list(recent))
        .annotate(n=Count("events"))
        .order_by("-n", "pk")
        .first()
    )
    return {
        "users": {
            "clerk": first(Role.CLERK).pk,
            "handler": handler.pk,
            "supervisor": first(Role.SUPERVISOR).pk,
        },
        "case": case.pk,
        "case_events": case.n,
        "cases": Case.objects.count(),
        "open": open_cases.count(),
        "open_in_unit": busiest["n"],
        "vendor": _vendor(),
    }


def _vendor() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


# ---------------------------------------------------------------------------------------------
# One process: one tree, every page, `runs` rounds


def _paths(plan: dict, current: bool) -> dict[tuple[str, str], str]:
    paths = {}
    for role in ROLES:
        for page in PAGES:
            if page == "inbox":
                path = "/staff/?page=1"
            elif page == "case":
                path = f"/staff/cases/{plan['case']}/"
            elif not current:
                path = BASE_PATHS[page]
            elif page == "landing":
                path = f"/staff/queues/{LANDING[role]}/"
            else:
                path = "/staff/queues/counts/"
            if path is not None:
                paths[(role, page)] = path
    return paths


def worker(url: str, plan: dict, current: bool, warmup: int) -> None:
    """Serve timings on stdin/stdout (Django set up from the tree first on the path): warm up,
    print the queries of one request per page as JSON, then for each line "role page" read,
    request that page once and print the milliseconds it took; stop at an empty line."""
    _configure(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from civicdesk.accounts.models import User

    clients = {}
    for role, pk in plan["users"].items():
        client = Client()
        client.force_login(User.objects.get(pk=pk))
        clients[role] = client
    paths = {f"{role} {page}": path for (role, page), path in _paths(plan, current).items()}
    for _round in range(warmup):
        for key, path in paths.items():
            response = clients[key.split()[0]].get(path, secure=True, follow=True)
            if response.status_code != 200:
                raise SystemExit(f"error: {key} {path} answered {response.status_code}")
    queries = {}
    for key, path in paths.items():
        with CaptureQueriesContext(connection) as captured:
            clients[key.split()[0]].get(path, secure=True, follow=True)
        queries[key] = len(captured.captured_queries)
    print(json.dumps(queries), flush=True)
    for line in sys.stdin:
        key = line.strip()
        if not key:
            break
        started = time.perf_counter()
        clients[key.split()[0]].get(paths[key], secure=True, follow=True)
        print(f"{(time.perf_counter() - started) * 1000:.3f}", flush=True)


class _Tree:
    """A worker process timing one tree's pages on request."""

    def __init__(self, tree: Path, url: str, plan: dict, current: bool, warmup: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree), "DATABASE_URL": url}
        args = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(plan)]
        args += ["--warmup", str(warmup), "--tree", str(tree)] + (["--current"] if current else [])
        self.process = subprocess.Popen(
            args, env=env, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.queries: dict[str, int] = json.loads(self._line(tree))
        self.tree = tree

    def _line(self, tree: Path) -> str:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"error: the worker of {tree} stopped (see above)")
        return line

    def time(self, key: str) -> float:
        self.process.stdin.write(key + "\n")
        self.process.stdin.flush()
        return float(self._line(self.tree))

    def close(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.close()
        self.process.wait()


def compare(url: str, baseline: Path, runs: int, warmup: int) -> int:
    plan = choose(url)
    print(
        f"{plan['vendor']}: {plan['cases']:,} cases, {plan['open']:,} open "
        f"({plan['open_in_unit']:,} in the handler's unit); case {plan['case']} "
        f"with {plan['case_events']} events"
    )
    if hasattr(os, "getloadavg"):
        print("load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    base = _Tree(baseline, url, plan, False, warmup)
    current = _Tree(ROOT, url, plan, True, warmup)
    timings: dict[str, dict[str, list[float]]] = {"base": {}, "current": {}}
    started = time.perf_counter()
    try:
        # Request by request, the baseline's and the current tree's in turn (which goes first
        # alternates), so that load from elsewhere on the machine weighs on both alike.
        for run in range(runs):
            for key in current.queries:
                pair = [("base", base), ("current", current)]
                for name, tree in pair if run % 2 == 0 else pair[::-1]:
                    if key in tree.queries:
                        timings[name].setdefault(key, []).append(tree.time(key))
    finally:
        base.close()
        current.close()
    print(f"timed in {time.perf_counter() - started:.0f} s, {runs} requests per page and tree")
    if hasattr(os, "getloadavg"):
        print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print()
    print(
        "| role | page | baseline median ms | baseline p90 | current median ms | current p90 "
        "| current / baseline | queries (baseline → current) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for key, values in timings["current"].items():
        role, page = key.split(" ", 1)
        median = statistics.median(values)
        before = timings["base"].get(key)
        if before:
            base_median = statistics.median(before)
            ratio = median / base_median
            if page in ("inbox", "case"):
                worst = max(worst, ratio)
            cells = f"{base_median:.0f} | {_percentile(before, 0.9):.0f}"
            ratio_cell = f"{ratio:.2f}"
            count = f"{base.queries[key]} → {current.queries[key]}"
        else:
            cells, ratio_cell, count = "— | —", "—", f"— → {current.queries[key]}"
        print(
            f"| {role} | {page} | {cells} | {median:.0f} | {_percentile(values, 0.9):.0f} "
            f"| {ratio_cell} | {count} |"
        )
    print()
    print(f"worst ratio of the inbox and case pages: {worst:.2f} (target: at most 1.20)")
    return 0


def fill(url: str, cases: int, days: int, replace: bool) -> int:
    if not url.startswith(("postgres://", "postgresql://")):
        print("error: --fill writes with COPY: DATABASE_URL must be PostgreSQL", file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE))
    import dashboard_data

    argv = ["--cases", str(cases), "--days", str(days)] + (["--replace"] if replace else [])
    return dashboard_data.main(argv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="checkout of the baseline commit")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page and tree")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds per process")
    parser.add_argument("--fill", action="store_true", help="fill the database (PostgreSQL)")
    parser.add_argument("--cases", type=int, default=540_000, help="cases to fill")
    parser.add_argument("--days", type=int, default=60, help="days the filled cases span")
    parser.add_argument("--replace", action="store_true", help="refill a filled database")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--current", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "sqlite://")):
        print("error: set DATABASE_URL to the filled database", file=sys.stderr)
        return 2
    if args.worker:
        sys.path.insert(0, str(args.tree))
        worker(url, json.loads(args.worker), args.current, args.warmup)
        return 0
    if args.fill:
        return fill(url, args.cases, args.days, args.replace)
    if args.baseline is None:
        print("error: give --baseline, a checkout of the baseline commit", file=sys.stderr)
        return 2
    return compare(url, args.baseline.resolve(), args.runs, args.warmup)


if __name__ == "__main__":
    raise SystemExit(main())
