"""Fill a PostgreSQL database with online-hall applications for the figures benchmark.

Issue 18 asks that the hall's figures page (process figures per matter and step) renders in
under 300 ms with 1,000,000 applications on PostgreSQL. This makes that database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicdesk_h9 \\
        .venv/bin/python bench/hall_data.py --applications 1000000 [--seed 1] [--days 730]

It creates the database if it is missing, migrates it, loads the demo district's units and
staff and the demo's four matters with their versions (through the demo generator and the
hall's own services), then writes the volume with bulk SQL inside PostgreSQL
(generate_series, seeded random()):

- applications over the last --days days, spread over the matters' versions (the food
  licence's first version before its re-engineering, the second after), 80 % online, with
  visits, notices, late requests and waiting time drawn per application; the newest are still
  open, a few of them held at a reviewer's desk;
- their step runs (one per step of the version; completed ones with handling and queue times
  drawn around a share of the step's time limit, the slower first food-licence version
  slower), about 4.3 per application;
- then the figures exactly as the services keep them: the day rows summed from the
  applications by one GROUP BY, and each step's median and p90 recomputed by the hall's own
  `step_figure_refresh` (timed).

Not written, because the figures page never reads them: the applications' material lines,
uploads, notices, visits and events (the counts the figures need are on the application).

A database that already holds applications is refused unless --replace is given, which
empties the hall's volume tables first.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_APPLICATIONS = 1_000_000
DEFAULT_DAYS = 730
DEFAULT_SEED = 1
# Share of the applications per matter.
MATTER_SHARES = {
    "food-license": 0.4,
    "enterprise-startup": 0.3,
    "construction-permit": 0.15,
    "social-security-transfer": 0.15,
}
VOLUME_TABLES = [
    "applications_dailyfigure",
    "applications_stepfigure",
    "applications_steprun",
    "applications_applicationevent",
    "applications_visit",
    "applications_noticeitem",
    "applications_notice",
    "applications_materialdecision",
    "applications_upload",
    "applications_applicationmaterial",
    "applications_onetimecode",
    "applications_application",
]


def prepare(now, *, days: int):
    """Units, staff and the demo's matters; the food licence re-engineered half-way."""
    from django.db import transaction

    from civicdesk.applications.models import MatterVersion
    from civicdesk.demo.generator import applications as demo
    from civicdesk.demo.generator.organisation import _ensure_units, _ensure_users

    with transaction.atomic():
        units, _created = _ensure_units()
        users, _created = _ensure_users(units)
        # The versions are dated back over the benchmark's period.
        demo._versions(users, units, now, days=days)
    return list(MatterVersion.objects.select_related("item").order_by("item__code", "number"))


def _insert_applications(cursor, version, count: int, start, end, seed: float) -> None:
    """`count` applications of one version submitted between start and end."""
    steps = list(version.steps.order_by("position").values_list("pk", "unit_id"))
    first_unit = steps[0][1]
    second_step = steps[1][0]
    enterprise = version.item.code != "social-security-transfer"
    cursor.execute("SELECT setseed(%s)", [seed])
    cursor.execute(
        """
        INSERT INTO applications_application (
            tracking_code, version_id, item_id, channel, applicant_type, applicant_name,
            credit_code, applicant_key, contact_phone, contact_email, phone_key, agent_name,
            agent_phone, agent_key, language, window_id, entered_by_id, status, step_id,
            holder_id, submitted_at, accepted_at, due_at, waiting_since, suspended_days,
            finished_at, outcome_note, visit_count, steps_done, notice_count, late_requests,
            applicant_wait_seconds)
        SELECT
            'B' || lpad((nextval('bench_hall_code'))::text, 11, '0'),
            %(version)s, %(item)s,
            CASE WHEN r.online THEN 'online' ELSE 'window' END,
            %(type)s, '申请人' || g, CASE WHEN %(enterprise)s THEN '91330106MA2H0000X' ELSE '' END,
            'A' || (g %% 400000), '138' || lpad((g %% 100000000)::text, 8, '0'), '',
            '138' || lpad((g %% 100000000)::text, 8, '0'), '', '', '', 'zh-hans',
            CASE WHEN r.online THEN NULL ELSE %(unit)s END, NULL,
            CASE WHEN r.open THEN 'in_progress'
                 WHEN r.roll < 0.03 THEN 'refused'
                 WHEN r.roll < 0.04 THEN 'withdrawn'
                 ELSE 'issued' END,
            CASE WHEN r.open THEN %(second)s ELSE NULL END, NULL,
            r.submitted, r.submitted + r.accept_after,
            r.submitted + r.accept_after + make_interval(days => %(limit)s),
            NULL, 0,
            CASE WHEN r.open THEN NULL ELSE r.submitted + r.accept_after + r.work END,
            '',
            CASE WHEN r.online THEN (CASE WHEN r.v < 0.9 THEN 0 WHEN r.v < 0.98 THEN 1 ELSE 2 END)
                 ELSE (CASE WHEN r.v < 0.7 THEN 1 WHEN r.v < 0.95 THEN 2 ELSE 3 END) END,
            CASE WHEN r.open THEN 1 ELSE %(steps)s END,
            CASE WHEN r.n < 0.78 THEN 0 WHEN r.n < 0.98 THEN 1 ELSE 2 END,
            CASE WHEN r.n > 0.995 THEN 1 ELSE 0 END,
            CASE WHEN r.n < 0.78 THEN 0 ELSE (86400 + random() * 172800)::bigint END
        FROM generate_series(1, %(count)s) AS g
        CROSS JOIN LATERAL (
            SELECT
                s.submitted,
                random() < 0.8 AS online,
                random() AS roll, random() AS v, random() AS n,
                make_interval(secs => 1800 + random() * 86400) AS accept_after,
                make_interval(secs => (0.5 + random()) * %(work)s) AS work,
                s.submitted > %(open_after)s AND random() < 0.5 AS open
            FROM (SELECT %(start)s::timestamptz + random() * (%(end)s::timestamptz
                  - %(start)s::timestamptz) AS submitted, g AS anchor) AS s
        ) AS r
        """,
        {
            "version": version.pk,
            "item": version.item_id,
            "type": "enterprise" if enterprise else "citizen",
            "enterprise": enterprise,
            "unit": first_unit,
            "second": second_step,
            "limit": version.time_limit_days,
            "steps": len(steps),
            "count": count,
            "work": version.time_limit_days * 86400 * 0.5,
            "open_after": end - timedelta(days=20),
            "start": start,
            "end": end,
        },
    )


def _insert_runs(cursor, version, slower: float, holder_id: int) -> None:
    """One run per step: completed for finished applications (the acceptance also for the
    open ones, whose second step is open and, for some, held at a reviewer's desk)."""
    cursor.execute(
        """
        INSERT INTO applications_steprun (
            application_id, step_id, arrived_at, taken_at, holder_id, completed_at,
            completed_by_id, applicant_wait_seconds, handle_seconds, queue_seconds)
        SELECT a.id, s.id,
            a.accepted_at + (s.position - 1) * interval '1 hour',
            CASE WHEN open_run AND q.untaken THEN NULL
                 WHEN open_run THEN now() - random() * interval '6 days'
                 ELSE a.accepted_at + (s.position - 1) * interval '1 hour'
                      + make_interval(secs => q.queue) END,
            CASE WHEN open_run AND NOT q.untaken THEN %(holder)s ELSE NULL END,
            CASE WHEN open_run THEN NULL
                 ELSE a.accepted_at + (s.position - 1) * interval '1 hour'
                      + make_interval(secs => q.handle) END,
            NULL,
            CASE WHEN s.position = 1 THEN a.applicant_wait_seconds ELSE 0 END,
            CASE WHEN open_run THEN NULL ELSE q.handle::bigint END,
            CASE WHEN open_run THEN NULL ELSE q.queue::bigint END
        FROM applications_application a
        JOIN applications_processstep s ON s.version_id = a.version_id
        CROSS JOIN LATERAL (
            SELECT a.status = 'in_progress' AND s.position = 2 AS open_run,
                   a.status <> 'in_progress' OR s.position <= 2 AS exists_run
        ) AS o
        CROSS JOIN LATERAL (
            SELECT greatest(600, -ln(1 - random()) * greatest(s.time_limit_days, 0.25)
                                 * 86400 * 0.3 * %(slower)s) AS handle,
                   random() * 3600 * 6 AS queue,
                   random() < 0.5 AS untaken
        ) AS q
        WHERE a.version_id = %(version)s AND o.exists_run
          AND (a.status IN ('issued', 'in_progress') OR s.position = 1)
        """,
        {"version": version.pk, "slower": slower, "holder": holder_id},
    )


# The official holding an open application is the one its open step run names.
HOLDERS = """
UPDATE applications_application a SET holder_id = r.holder_id
FROM applications_steprun r
WHERE r.application_id = a.id AND r.completed_at IS NULL AND r.holder_id IS NOT NULL
"""

DAY_ROWS = """
INSERT INTO applications_dailyfigure (
    version_id, item_id, unit_id, day, finished, issued, refused, visits, at_most_one, over_one,
    "window", on_spot, online, steps, notices, late_requests, applicant_wait_seconds,
    elapsed_seconds)
SELECT a.version_id, a.item_id, coalesce(a.window_id, first.unit_id),
    (a.finished_at AT TIME ZONE %(zone)s)::date,
    count(*), count(*) FILTER (WHERE a.status = 'issued'),
    count(*) FILTER (WHERE a.status = 'refused'), sum(a.visit_count),
    count(*) FILTER (WHERE a.visit_count <= 1), count(*) FILTER (WHERE a.visit_count > 1),
    count(*) FILTER (WHERE a.channel = 'window'),
    count(*) FILTER (WHERE a.channel = 'window' AND a.status = 'issued'
        AND (a.accepted_at AT TIME ZONE %(zone)s)::date
            = (a.finished_at AT TIME ZONE %(zone)s)::date),
    count(*) FILTER (WHERE a.channel = 'online'),
    sum(a.steps_done), sum(a.notice_count), sum(a.late_requests),
    sum(a.applicant_wait_seconds),
    sum(floor(greatest(0, extract(epoch FROM a.finished_at - a.submitted_at))))::bigint
FROM applications_application a
JOIN applications_processstep first ON first.version_id = a.version_id AND first.position = 1
WHERE a.finished_at IS NOT NULL
GROUP BY 1, 2, 3, 4
"""


def fill(*, applications: int, seed: int, days: int, now=None) -> dict:
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from civicdesk.accounts.models import User
    from civicdesk.applications import figures
    from civicdesk.applications.models import ProcessStep

    now = now or timezone.now()
    started = time.perf_counter()
    versions = prepare(now, days=days)
    holder = User.objects.get(username="handler-market")
    by_item: dict[str, list] = {}
    for version in versions:
        by_item.setdefault(version.item.code, []).append(version)
    begin = now - timedelta(days=days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY SEQUENCE IF NOT EXISTS bench_hall_code")
        for number, (code, share) in enumerate(MATTER_SHARES.items()):
            count = round(applications * share)
            matter_versions = by_item[code]
            if len(matter_versions) == 1:
                spans = [(matter_versions[0], begin, now, count)]
            else:
                old, new = matter_versions[0], matter_versions[-1]
                middle = begin + (now - begin) / 2
                spans = [(old, begin, middle, count // 2), (new, middle, now, count - count // 2)]
            for index, (version, start, end, n) in enumerate(spans):
                seed_value = (seed * 7 + number * 3 + index) / 1000
                _insert_applications(cursor, version, n, start, end, seed_value)
        written = time.perf_counter()
        for version in versions:
            slower = 1.5 if version.item.code == "food-license" and version.number == 1 else 1.0
            if version.item.code == "food-license" and version.number > 1:
                slower = 0.6
            _insert_runs(cursor, version, slower, holder.pk)
        cursor.execute(HOLDERS)
        runs = time.perf_counter()
        cursor.execute(DAY_ROWS, {"zone": settings.TIME_ZONE})
        cursor.execute("ANALYZE applications_application")
        cursor.execute("ANALYZE applications_steprun")
        cursor.execute("ANALYZE applications_dailyfigure")
    day_rows = time.perf_counter()
    refresh_times = []
    for step in ProcessStep.objects.order_by("version", "position"):
        tick = time.perf_counter()
        with transaction.atomic():
            figures.step_figure_refresh(step.pk)
        refresh_times.append(time.perf_counter() - tick)
    done = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM applications_application")
        (total,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM applications_steprun")
        (total_runs,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM applications_dailyfigure")
        (total_days,) = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (size,) = cursor.fetchone()
    return {
        "applications": total,
        "step_runs": total_runs,
        "day_rows": total_days,
        "database_size": size,
        "seconds_applications": round(written - started, 1),
        "seconds_runs": round(runs - written, 1),
        "seconds_day_rows": round(day_rows - runs, 1),
        "seconds_step_figures": round(done - day_rows, 1),
        "slowest_step_refresh_ms": round(max(refresh_times) * 1000, 1),
        "median_step_refresh_ms": round(sorted(refresh_times)[len(refresh_times) // 2] * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=DEFAULT_APPLICATIONS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
    parser.add_argument("--replace", action="store_true", help="empty the hall's tables first")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("error: set DATABASE_URL to a postgres://… URL", file=sys.stderr)
        return 2
    import dashboard_data

    dashboard_data.ensure_database(url)
    dashboard_data.configure(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from civicdesk.applications.models import Application

    if Application.objects.exists():
        if not args.replace:
            print("error: the database holds applications; add --replace", file=sys.stderr)
            return 2
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(VOLUME_TABLES)} RESTART IDENTITY CASCADE")
    summary = fill(applications=args.applications, seed=args.seed, days=args.days)
    for key, value in summary.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
