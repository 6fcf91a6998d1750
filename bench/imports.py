"""Import benchmark: 100,000 portal messages from one CSV, run as the background worker runs it.

    python bench/imports.py [--rows 100000] [--runs 3]          # a fresh SQLite file in a temp dir
    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS civicdesk_imports_bench' \\
        -c 'CREATE DATABASE civicdesk_imports_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicdesk_imports_bench \\
        python bench/imports.py [--rows 100000] [--runs 3]

Target (issue 6): a 100,000-row file imports in the background in reasonable time on a
2-core machine, and importing it again adds nothing. Each run:

1. writes a CSV of `--rows` synthetic portal messages (UTF-8, Chinese column names, ids of
   their own) into a temporary folder;
2. uploads it as a clerk would (`services.job_create`: format detection and a full read of
   the file), chooses the columns and queues the job (the task backend is a dummy one here);
3. runs the job in this process by calling the task function, exactly what `civicdesk worker`
   does (check every row, write the rejected-rows report, store submissions and their cases in
   batches of 1,000) and times it: rows/s and seconds;
4. uploads and runs the same file again and checks that it added nothing;
5. baseline, in the same process and database: the same number of bare `Submission` rows
   written by one `bulk_create` (no checking, no cases, no events): the ceiling of what the
   database can take, reported as a ratio.

Runs in one process share one database that grows from run to run (each run imports new
ids), so later runs pay for bigger indexes; the median is reported. Results go to
docs/benchmarks.md by hand, with date and machine.
"""

import argparse
import atexit
import os
import random
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PLACES = [
    "东苑小区", "星河湾小区", "幸福里小区", "锦绣家园", "滨江花园", "城北农贸市场", "新华路",
    "学院街", "人民路", "解放街", "和平路菜市场", "东湖公园", "实验小学", "会展中心", "南门菜场",
    "西湖社区", "体育馆", "老街", "第一人民医院", "火车站广场",
]  # fmt: skip
PROBLEMS = [
    ("路灯不亮", "的路灯已经坏了好几天，晚上黑乎乎的，老人孩子出门很不安全"),
    ("噪音扰民", "附近工地夜里十一点以后还在施工，打桩声音很大，严重影响休息"),
    ("垃圾清运", "的垃圾桶好几天没人清运，苍蝇蚊子很多，气味难闻"),
    ("道路破损", "的路面坑洼不平，下雨天积水很深，电动车经过容易摔倒"),
    ("占道经营", "门口流动摊贩占道经营，行人只能走机动车道，很危险"),
    ("下水道堵塞", "的下水道又堵了，污水漫到人行道上，味道很大"),
    ("违章停车", "周边车辆乱停乱放，把消防通道和盲道都占了"),
    ("电梯故障", "的电梯这个月已经困人好几次，物业每次只是简单处理"),
    ("油烟扰民", "楼下烧烤店油烟直排，居民家里窗户都不敢开"),
    ("供水问题", "的自来水有明显黄色沉淀，二次供水水箱很久没有清洗"),
]
DETAILS = [
    "希望有关部门尽快处理。", "已经反映过多次，一直没有解决。", "请尽快派人来看看。",
    "麻烦社区协调一下。", "附近居民都很有意见。", "", "谢谢！", "盼复。",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
HEADER = ["留言编号", "留言主题", "留言详情", "留言时间", "留言用户", "联系电话", "地址", "点赞数"]


def write_csv(path: Path, rows: int, run: int, seed: int) -> None:
    import csv

    rng = random.Random(seed + run)
    start = datetime(2025, 1, 2, 8, 0)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            place = rng.choice(PLACES)
            title, problem = rng.choice(PROBLEMS)
            text = f"{place}{problem}，{rng.choice(DETAILS)}第{rng.randint(1, 40)}栋附近。"
            moment = start + timedelta(minutes=rng.randint(0, 60 * 24 * 300))
            phone = f"13{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}"
            author = f"{rng.choice(SURNAMES)}先生"
            if rng.random() < 0.5:
                author = f"网友{rng.randint(1, 99999)}"
            writer.writerow(
                [
                    f"BENCH{run}-{number:07d}",
                    title,
                    text,
                    moment.strftime("%Y-%m-%d %H:%M:%S"),
                    author,
                    phone if rng.random() < 0.4 else "",
                    place,
                    rng.randint(0, 3000),
                ]
            )


def import_file(path: Path, channel, clerk):
    """Upload, map and queue the file as a clerk would, then run the job as the worker does.
    Returns the finished job, the seconds the upload's check took and the job's seconds."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from civicdesk.imports import services
    from civicdesk.imports.models import JobStatus
    from civicdesk.imports.tasks import run_import

    upload = SimpleUploadedFile(path.name, path.read_bytes(), "text/csv")
    started = time.perf_counter()
    job = services.job_create(
        upload=upload, channel=channel, source_name="新华街道门户网站", actor=clerk
    )
    checked = time.perf_counter() - started
    job = services.job_set_mapping(job=job, mapping=job.mapping, actor=clerk)
    with transaction.atomic():
        job = services.job_start(job=job, actor=clerk)
    started = time.perf_counter()
    run_import.call(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != JobStatus.DONE:
        raise SystemExit(f"{path.name}: the job ended {job.status}: {job.error}")
    return job, checked, seconds


def temporary_folder(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def configure() -> str:
    """Django on DATABASE_URL, or on a fresh SQLite file; returns a description."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
    os.environ.setdefault("CIVICDESK_DEBUG", "0")
    os.environ.setdefault("CIVICDESK_LOG_LEVEL", "WARNING")
    os.environ.setdefault("CIVICDESK_SECRET_KEY", secrets.token_urlsafe(50))
    # Jobs are run below by calling the task, as the worker would; nothing is queued.
    os.environ["CIVICDESK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    # Uploads, reports and the SQLite file go to a folder that is removed at exit.
    folder = temporary_folder("civicdesk-imports-bench-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["CIVICDESK_DATA_DIR"] = str(folder)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the CSV")
    parser.add_argument("--runs", type=int, default=1, help="import runs (median reported)")
    parser.add_argument("--seed", type=int, default=6, help="random seed of the texts")
    args = parser.parse_args(argv)
    database = configure()

    from django.db import connection, transaction
    from django.utils import timezone

    from civicdesk.accounts.models import Role, User
    from civicdesk.cases.models import Case, CaseEvent
    from civicdesk.intake.models import Channel, Submission

    clerk, _created = User.objects.get_or_create(
        username="bench-import-clerk", defaults={"role": Role.CLERK}
    )
    portal = Channel.objects.get(code="portal")
    folder = temporary_folder("civicdesk-imports-csv-")
    print(f"database: {database}; {os.cpu_count()} CPUs; {args.rows:,} rows per run")
    results = []
    for run in range(1, args.runs + 1):
        path = folder / f"portal-{run}.csv"
        write_csv(path, args.rows, run, args.seed)
        size = path.stat().st_size

        before = Submission.objects.count()
        job, checked, seconds = import_file(path, portal, clerk)
        added = Submission.objects.count() - before
        assert job.imported == added == args.rows - job.rejected, (job.imported, added)
        assert Case.objects.filter(submission__external_id__startswith="imp:").count() >= added
        again, _checked2, seconds_again = import_file(path, portal, clerk)
        assert again.imported == 0 and again.duplicates == job.imported, (again.imported,)
        assert Submission.objects.count() == before + added, "the re-import added rows"

        bare = [
            Submission(
                channel=portal,
                description=f"基线第{number}条留言",
                external_id=f"baseline-{run}-{number}",
                received_at=timezone.now(),
            )
            for number in range(args.rows)
        ]
        started = time.perf_counter()
        with transaction.atomic():
            Submission.objects.bulk_create(bare, batch_size=1000)
        baseline = time.perf_counter() - started
        results.append((seconds, baseline, seconds_again, checked))
        print(
            f"run {run}: file {size / 1e6:.1f} MB; upload check {checked:.1f} s; "
            f"import {seconds:.1f} s = {args.rows / seconds:,.0f} rows/s "
            f"({job.imported:,} imported, {job.rejected:,} rejected); "
            f"re-import {seconds_again:.1f} s, 0 new; "
            f"baseline bulk_create {baseline:.1f} s = {args.rows / baseline:,.0f} rows/s; "
            f"import / baseline = {seconds / baseline:.1f}"
        )
    import_s = statistics.median(r[0] for r in results)
    baseline_s = statistics.median(r[1] for r in results)
    again_s = statistics.median(r[2] for r in results)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"median of {len(results)} run(s) on {connection.vendor}:")
    print("| step | seconds | rows/s |")
    print("|---|---|---|")
    print(f"| import job (task) | {import_s:.1f} | {args.rows / import_s:,.0f} |")
    print(f"| re-import, nothing new | {again_s:.1f} | {args.rows / again_s:,.0f} |")
    print(f"| baseline: bare bulk_create | {baseline_s:.1f} | {args.rows / baseline_s:,.0f} |")
    print(f"import / baseline: {import_s / baseline_s:.1f}; peak memory {peak:,.0f} MB")
    print(
        f"{Submission.objects.count():,} submissions, {Case.objects.count():,} cases, "
        f"{CaseEvent.objects.count():,} case events in the database"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
