"""Load benchmark (issue 7): civicdesk under `civicdesk serve` on PostgreSQL, driven by wrk.

    apt-get install -y wrk
    python bench/load.py                       # every phase, creates for 5 minutes
    python bench/load.py --duration 60 --phases baseline,api_create

It needs root-free access to PostgreSQL at --database-url (the database is dropped and made
again) and Redis at --cache-url (the shared rate-limit counters of several workers); the
`restart` phase also needs `pg_ctlcluster` (root) to restart the PostgreSQL server.

Phases, each a wrk run with one connection per wrk thread (so each response belongs to the
request its thread sent last, see bench/load/civicdesk.lua):

- `baseline`: the ceiling. A bare Django project (bench/minimal/) whose one view inserts one
  row, under the same gunicorn settings, the same PostgreSQL database and the same load.
- `baseline_status`: the same project's other view, one select by a unique key: the ceiling
  of the look-up phases.
- `api_create`: anonymous reports through `POST /api/v1/submissions`, each with its own
  Idempotency-Key and client address (X-Forwarded-For behind one trusted proxy), so the
  per-client rate limit counts in Redis but does not refuse. Runs `--duration` seconds.
- `form_create`: reports through the public web form (CSRF token, form token).
- `api_status`, `page_status`: tracking-code look-ups in the API and on the status page.
- `inbox`: a clerk's inbox page, logged in.
- `mixed`: 25% API reports, 10% form reports, 35% API look-ups, 20% status pages, 10% inbox.
- `restart`: API reports while PostgreSQL is restarted (`pg_ctlcluster … restart`); clients
  resend a report that failed or got no answer with the same Idempotency-Key.

After each phase that creates reports, every acknowledged one (201/200 with a tracking code,
or the form's redirect to its status page) is looked up in the database: present, with the
same tracking code, stored once. A report stored but never acknowledged is fine (its client
gave up); a report stored twice for one key is not.

Prints one line of JSON per phase and a Markdown table at the end; `--output` writes the
JSON too. Results go to docs/benchmarks.md by hand, with date and machine.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "load" / "civicdesk.lua"
PHASES = [
    "baseline",
    "baseline_status",
    "api_create",
    "form_create",
    "api_status",
    "page_status",
    "inbox",
    "mixed",
    "restart",
]
CREATING = {"api_create", "form_create", "mixed", "restart"}
LOOKUPS = {"baseline_status", "api_status", "page_status"}
CIVICDESK_PORT, MINIMAL_PORT = 8310, 8311


def main() -> None:
    args = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    phases = args.phases.split(",")
    unknown = set(phases) - set(PHASES)
    if unknown:
        sys.exit(f"unknown phases: {', '.join(sorted(unknown))}; known: {', '.join(PHASES)}")
    work = Path(tempfile.mkdtemp(prefix="civicdesk-load-"))
    env = _environment(args, work)
    os.environ.update(env)
    _recreate_database(args.database_url)
    _run([sys.executable, "-m", "civicdesk", "migrate", "-v0"], env)
    _run(
        [sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v0"],
        env | {"DJANGO_SETTINGS_MODULE": "bench.minimal.settings"},
    )
    session = _seed(args.existing)
    servers = [
        _start(
            [
                *[sys.executable, "-m", "civicdesk", "serve"],
                *["--bind", f"127.0.0.1:{CIVICDESK_PORT}"],
                *["--workers", str(args.workers), "--threads", str(args.threads)],
            ],
            env,
            work / "civicdesk.log",
        ),
        _start(
            [
                *[sys.executable, "-m", "gunicorn", "bench.minimal.wsgi"],
                *["--bind", f"127.0.0.1:{MINIMAL_PORT}", "--workers", str(args.workers)],
                # The worker class `civicdesk serve` picks for this many threads.
                *["--threads", str(args.threads)],
                *["--worker-class", "gthread" if args.threads > 1 else "sync"],
                *["--keep-alive", "5", "--preload"],
            ],
            env | {"DJANGO_SETTINGS_MODULE": "bench.minimal.settings"},
            work / "minimal.log",
        ),
    ]
    try:
        _wait_until_up(CIVICDESK_PORT)
        _wait_until_up(MINIMAL_PORT)
        results = _run_phases(args, phases, work, session)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    _report(results, args)
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    failed = [r["phase"] for r in results if not r["ok"]]
    if failed:
        sys.exit(f"checks failed in: {', '.join(failed)}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/civicdesk_load"
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--duration", type=int, default=300, help="seconds of api_create")
    parser.add_argument("--short", type=int, default=60, help="seconds of the other phases")
    parser.add_argument("--connections", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--existing", type=int, default=20000, help="cases stored beforehand")
    parser.add_argument("--output", help="write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep logs and acknowledgements")
    return parser.parse_args()


def _environment(args: argparse.Namespace, work: Path) -> dict[str, str]:
    return {
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
        "DATABASE_URL": args.database_url,
        "CIVICDESK_CACHE_URL": args.cache_url,
        "CIVICDESK_DATA_DIR": str(work / "var"),
        "CIVICDESK_SECRET_KEY": "load-benchmark-" + "x" * 40,
        "CIVICDESK_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Plain HTTP on loopback, behind one (pretend) reverse proxy that sets X-Forwarded-For.
        "CIVICDESK_SECURE_SSL_REDIRECT": "0",
        "CIVICDESK_TRUSTED_PROXY_COUNT": "1",
    }


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=os.environ | env, cwd=ROOT, check=True)


def _recreate_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    # The rate-limit counters of an earlier run would refuse this one's clients.
    subprocess.run(
        ["redis-cli", "-u", os.environ["CIVICDESK_CACHE_URL"], "FLUSHDB"],
        check=False,
        capture_output=True,
    )


def _seed(existing: int) -> str:
    """Stored cases to look up and page through, and a clerk's session cookie."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    from civicdesk.accounts.models import Role, Unit, UnitKind, User
    from civicdesk.intake.models import Channel
    from civicdesk.intake.services import NewSubmission, submissions_create_bulk

    unit = Unit.objects.create(code="district", name="示范区", kind=UnitKind.DISTRICT)
    clerk = User.objects.create_user(
        username="clerk", password="load-bench-only", role=Role.CLERK, unit=unit
    )
    portal = Channel.objects.get(code="portal")
    for start in range(0, existing, 1000):
        submissions_create_bulk(
            items=[
                NewSubmission(channel=portal, description=f"既有留言 {n}：小区路灯不亮")
                for n in range(start, min(existing, start + 1000))
            ]
        )
    session = SessionStore()
    session[SESSION_KEY] = str(clerk.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
    session.create()
    connections.close_all()
    return session.session_key


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(command, env=os.environ | env, cwd=ROOT, stdout=handle, stderr=handle)


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # answered, if only with a 404
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"nothing answers on port {port}; see the server log")


def _csrf_pair() -> str:
    """A CSRF cookie and a form token from the report page, as a browser would get them."""
    with urllib.request.urlopen(
        f"http://127.0.0.1:{CIVICDESK_PORT}/report/", timeout=10
    ) as response:
        cookie = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"]).group(1)
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return f"{cookie} {token}"


def _run_phases(
    args: argparse.Namespace, phases: list[str], work: Path, session: str
) -> list[dict]:
    codes, baseline_codes = work / "codes.txt", work / "baseline-codes.txt"
    shared = {"LOAD_SESSION": session, "LOAD_CSRF": _csrf_pair()}
    # The look-up phases need codes: those of the seeded cases, then of the reports made here.
    codes.write_text("\n".join(_stored_codes(limit=5000)) + "\n")
    baseline_codes.write_text("")
    results = []
    for phase in phases:
        run = f"{phase}-{int(time.time())}"
        duration = args.duration if phase == "api_create" else args.short
        on_baseline = phase.startswith("baseline")
        port = MINIMAL_PORT if on_baseline else CIVICDESK_PORT
        mode = {
            "baseline": "api_create",
            "baseline_status": "api_status",
            "restart": "api_create",
        }.get(phase, phase)
        env = shared | {
            "LOAD_MODE": mode,
            "LOAD_RUN": run,
            "LOAD_OUT": str(work / run),
            "LOAD_CODES": str(baseline_codes if on_baseline else codes),
        }
        restarter = None
        if phase == "restart":
            restarter = threading.Thread(target=_restart_postgresql, args=(duration,))
            restarter.start()
        result = _wrk(port, duration, args.connections, env) | {"phase": phase, "run": run}
        if restarter is not None:
            restarter.join()
            result["restarted_at_s"] = round(duration / 3)
        acknowledged = _acknowledged(work, run)
        if phase in CREATING:
            result["check"] = _check_stored(run, acknowledged)
        with (baseline_codes if on_baseline else codes).open("a") as handle:
            handle.writelines(f"{code}\n" for code in acknowledged.values())
        result["ok"] = _phase_ok(phase, result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    return results


def _wrk(port: int, duration: int, connections: int, env: dict[str, str]) -> dict:
    command = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{duration}s"]
    command += ["--timeout", "10s", "-s", str(SCRIPT), f"http://127.0.0.1:{port}"]
    finished = subprocess.run(
        command, env=os.environ | env, capture_output=True, text=True, check=True
    )
    line = next(x for x in finished.stdout.splitlines() if x.startswith("LOADRESULT "))
    result = json.loads(line.removeprefix("LOADRESULT "))
    seconds = result["duration_us"] / 1e6
    result["per_second"] = round(result["requests"] / seconds, 1)
    result["seconds"] = round(seconds, 1)
    return result


def _acknowledged(work: Path, run: str) -> dict[str, str]:
    """Idempotency key → tracking code, for every report a client got its answer to."""
    pairs: dict[str, str] = {}
    for path in work.glob(f"{run}-*.tsv"):
        for line in path.read_text().splitlines():
            key, code, _status = line.split("\t")
            if pairs.setdefault(key, code) != code:
                raise SystemExit(f"{key} was answered with two tracking codes")
    return pairs


def _check_stored(run: str, acknowledged: dict[str, str]) -> dict:
    from django.db import connections
    from django.db.models import OuterRef, Subquery

    from civicdesk.intake.models import IdempotencyKey, Submission

    connections.close_all()  # the server may have been restarted
    time.sleep(2)  # let requests still in the server when wrk stopped finish
    # One query, so one snapshot: each stored report of this run with its key (if any).
    rows = list(
        Submission.objects.filter(description__contains=f"（{run} ")
        .annotate(
            key=Subquery(IdempotencyKey.objects.filter(submission=OuterRef("pk")).values("key")[:1])
        )
        .values_list("key", "case__tracking_code")
    )
    stored = {key: code for key, code in rows if key}
    missing = [key for key in acknowledged if key not in stored]
    wrong = [key for key, code in acknowledged.items() if key in stored and stored[key] != code]
    return {
        "acknowledged": len(acknowledged),
        "stored": len(rows),
        "missing": len(missing),
        "wrong_code": len(wrong),
        # Each client request has its own key, and a key its one report: a report stored
        # without its key would be a second copy of a request.
        "duplicated": len(rows) - len(stored),
    }


def _stored_codes(limit: int) -> list[str]:
    from civicdesk.cases.models import Case

    return list(Case.objects.values_list("tracking_code", flat=True)[:limit])


def _restart_postgresql(duration: int) -> None:
    time.sleep(duration / 3)
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version[-1], "main", "restart"],
        check=True,
    )


def _phase_ok(phase: str, result: dict) -> bool:
    check = result.get("check")
    if check and (check["missing"] or check["wrong_code"] or check["duplicated"]):
        return False
    if phase == "restart":
        return True  # failures while the database is down are expected; losses are not
    # wrk's own "status" error count is the 4xx/5xx answers again: either is enough here.
    return sum(result["errors"].values()) == 0 and _failed_answers(result) == 0


def _failed_answers(result: dict) -> int:
    """Answers with a 4xx or 5xx status ("kind:status" → count, from the wrk script)."""
    return sum(v for k, v in result["statuses"].items() if int(k.rsplit(":", 1)[1]) >= 400)


def _report(results: list[dict], args: argparse.Namespace) -> None:
    ceilings = {r["phase"]: r["per_second"] for r in results if r["phase"].startswith("baseline")}
    print()
    print(
        f"workers {args.workers} × threads {args.threads}, {args.connections} connections, "
        f"{args.existing} cases stored beforehand"
    )
    print("| phase | requests/s | vs baseline | p50 ms | p99 ms | errors | checks |")
    print("|---|---:|---:|---:|---:|---|---|")
    for r in results:
        # Look-ups are compared with the baseline's select, everything else with its insert.
        ceiling = ceilings.get(
            "baseline_status" if r["phase"] in LOOKUPS else "baseline",
            ceilings.get("baseline"),
        )
        ratio = f"{r['per_second'] / ceiling:.2f}" if ceiling else "–"
        errors = sum(v for k, v in r["errors"].items() if k != "status") + _failed_answers(r)
        check = r.get("check")
        checked = (
            f"{check['acknowledged']} acknowledged, {check['missing']} missing, "
            f"{check['duplicated']} duplicated"
            if check
            else ""
        )
        print(
            f"| {r['phase']} | {r['per_second']:.0f} | {ratio} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {errors} | {checked} |"
        )


if __name__ == "__main__":
    main()
