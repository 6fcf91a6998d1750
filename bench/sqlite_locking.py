"""SQLite under a big import: keyed API reads while `civicdesk worker` imports a large file.

    python bench/sqlite_locking.py [--rows 100000] [--readers 4] [--port 8199]

Issue 13 (item 13): on the embedded default (SQLite), keyed API requests answered 500
"database is locked" while the worker imported 100,000 rows, because every keyed request wrote
its token's last-used time and had to wait for the import's write transactions. This runs it
for real, with nothing in-process but the set-up:

1. a fresh SQLite file in a temporary folder, migrated; a clerk with an API token; a CSV of
   `--rows` synthetic portal messages (bench/imports.py writes it);
2. `civicdesk serve` (gunicorn, 2 workers × 4 threads) and `civicdesk worker` as processes;
3. the import is queued as a clerk queues it, and while the worker runs it `--readers` threads
   ask GET /api/v1/cases with the token, one request after the other, until the job is done;
4. prints the import time, the answers by status, the latency percentiles and how many times
   "database is locked" appears in the server's log.

Results go to docs/benchmarks.md by hand, with date and machine.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.imports import temporary_folder, write_csv


def environment(folder: Path, port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CIVICDESK_")}
    env.update(
        DJANGO_SETTINGS_MODULE="civicdesk.settings",
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        CIVICDESK_DATA_DIR=str(folder),
        CIVICDESK_DEBUG="0",
        CIVICDESK_SECRET_KEY=secrets.token_urlsafe(50),
        CIVICDESK_ALLOWED_HOSTS="127.0.0.1",
        CIVICDESK_SECURE_SSL_REDIRECT="0",
        CIVICDESK_SITE_URL=f"http://127.0.0.1:{port}",
        CIVICDESK_LOG_LEVEL="WARNING",
    )
    return env


def read_loop(url: str, token: str, stop: threading.Event, results: list) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            status = type(error).__name__
        results.append((status, time.perf_counter() - started))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the imported CSV")
    parser.add_argument("--readers", type=int, default=4, help="threads reading the API")
    parser.add_argument("--port", type=int, default=8199, help="port of the web server")
    args = parser.parse_args(argv)

    folder = temporary_folder("civicdesk-sqlite-locking-")
    env = environment(folder, args.port)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import transaction

    from civicdesk.accounts.models import ApiToken, Role, User
    from civicdesk.imports import services
    from civicdesk.imports.models import ImportJob, JobStatus
    from civicdesk.intake.models import Channel

    call_command("migrate", verbosity=0)
    clerk = User.objects.create(username="bench-clerk", role=Role.CLERK)
    _token, raw_token = ApiToken.issue(user=clerk, name="bench")
    path = folder / "portal.csv"
    write_csv(path, args.rows, 1, 13)

    log = open(folder / "processes.log", "w")  # noqa: SIM115 - closed at the end
    command = [sys.executable, "-m", "civicdesk"]
    server = subprocess.Popen(
        [*command, "serve", "--bind", f"127.0.0.1:{args.port}", "--workers", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen([*command, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{args.port}/api/v1/cases?limit=20"
    try:
        for _attempt in range(120):
            try:
                urllib.request.urlopen(url, timeout=5)
            except urllib.error.HTTPError:
                break  # 401: the server answers
            except OSError:
                time.sleep(0.5)
        upload = SimpleUploadedFile(path.name, path.read_bytes(), "text/csv")
        portal = Channel.objects.get(code="portal")
        job = services.job_create(upload=upload, channel=portal, source_name="门户", actor=clerk)
        job = services.job_set_mapping(job=job, mapping=job.mapping, actor=clerk)
        with transaction.atomic():
            job = services.job_start(job=job, actor=clerk)

        stop, results = threading.Event(), []
        readers = [
            threading.Thread(target=read_loop, args=(url, raw_token, stop, results))
            for _ in range(args.readers)
        ]
        started = time.perf_counter()
        for reader in readers:
            reader.start()
        while True:
            time.sleep(1)
            status = ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)
            if status in (JobStatus.DONE, JobStatus.FAILED):
                break
        seconds = time.perf_counter() - started
        stop.set()
        for reader in readers:
            reader.join()
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)
        log.close()
    job.refresh_from_db()
    counts = Counter(status for status, _latency in results)
    latencies = [latency for _status, latency in results]
    log_text = (folder / "processes.log").read_text(errors="replace")
    locked = log_text.count("database is locked")
    if set(counts) - {200}:
        print("--- end of the server and worker log ---")
        print(log_text[-4000:])
    print(f"{args.rows:,} rows: job {job.status}, {job.imported:,} imported in {seconds:.1f} s")
    print(f"{len(results):,} keyed reads from {args.readers} threads: {dict(counts)}")
    print(
        f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies):.1f} s"
    )
    print(f'"database is locked" in the server and worker log: {locked}')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
