"""Triage in the app: same-problem hints, clustering runs, problems; suggestions.py suggests."""

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, Category
from civicdesk.cases.workflow import OPEN_STATUSES
from civicdesk.intake.models import Channel
from civicdesk.nearby.queries import with_endorsement_counts
from civicdesk.problems.models import (
    ClusterRun,
    Problem,
    ProblemChange,
    ProblemCluster,
    RunStatus,
)
from civicdesk.triage.cluster import Message, cluster_messages, heat
from civicdesk.triage.errors import TriageError
from civicdesk.triage.similar import SameProblemIndex

logger = logging.getLogger(__name__)


class ProblemError(Exception):
    """A triage action that cannot be done; the message is translated."""


def case_text(case: Case) -> str:
    submission = case.submission
    return "\n".join(part for part in (submission.description, submission.address) if part)


# Same-problem hints ------------------------------------------------------------------------


OPEN_CASE_INDEX_FILE = "open-cases.index.npz"  # in CIVICDESK_MODEL_DIR
INDEX_REBUILD_SECONDS = 600
# A saved index this old means no worker is building it (the scheduled job runs every ten
# minutes); each process then builds its own rather than miss closed and re-opened cases.
SAVED_INDEX_MAX_AGE_SECONDS = 3 * INDEX_REBUILD_SECONDS


@dataclass
class _OpenCaseIndex:
    index: SameProblemIndex
    last_id: int  # the newest case id the index has looked at
    built_at: float  # time.monotonic() of an in-process build
    saved_stamp: tuple[int, int] | None = None  # (inode, mtime) of the file it was loaded from


_index_lock = threading.Lock()
_load_lock = threading.Lock()
_index: _OpenCaseIndex | None = None
_loader: threading.Thread | None = None  # the latest background load, for tests to wait on
_unreadable_stamp: tuple[int, int] | None = None


def open_case_index_path() -> Path:
    return Path(settings.CIVICDESK_MODEL_DIR) / OPEN_CASE_INDEX_FILE


def open_case_index_save() -> int:
    """Build the index of every open case and save it for the web processes, replacing the
    previous file in one step; returns how many cases it holds.

    Building costs about 0.2 ms a case: seconds for a district, minutes for a city's open
    cases. Done here once by a worker, a web process only loads the file (ADR 0002)."""
    newest = Case.objects.aggregate(last=Max("id"))["last"] or 0
    index = SameProblemIndex()
    cases = (
        Case.objects.filter(id__lte=newest, status__in=OPEN_STATUSES)
        .select_related("submission")
        .order_by("id")
    )
    index.add_many((str(case.pk), case_text(case)) for case in cases.iterator(chunk_size=2000))
    index.meta = {"last_case_id": newest, "built_at": timezone.now().isoformat()}
    path = open_case_index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        index.save(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return len(index)


def _saved_index_stamp() -> tuple[int, int] | None:
    """Which saved index file is there now (each save is a new file, so a new inode), or None
    when there is none worth loading."""
    try:
        stat = open_case_index_path().stat()
    except OSError:
        return None
    if time.time() - stat.st_mtime > SAVED_INDEX_MAX_AGE_SECONDS:
        return None
    stamp = (stat.st_ino, stat.st_mtime_ns)
    return None if stamp == _unreadable_stamp else stamp


def _load_saved_index(stamp: tuple[int, int]) -> None:
    """Load the saved index as this process's; a file that cannot be read is logged once and
    then ignored until it is replaced."""
    global _index, _unreadable_stamp
    try:
        index = SameProblemIndex.load(open_case_index_path())
    except (TriageError, OSError) as error:
        logger.warning("same-problem index file unusable, building in process: %s", error)
        _unreadable_stamp = stamp
        return
    last_id = int(index.meta.get("last_case_id", 0))
    with _index_lock:
        _index = _OpenCaseIndex(index, last_id, time.monotonic(), stamp)


def _load_in_background(stamp: tuple[int, int]) -> None:
    try:
        _load_saved_index(stamp)
    finally:
        _load_lock.release()


def _open_case_hits(text: str, k: int) -> list[tuple[str, float]]:
    """Ids and scores of the open cases most like `text`, from this process's index of open
    cases, with cases newer than the index added first.

    The index is the file a worker saves every few minutes (`build_same_problem_index`) when
    there is a recent one; otherwise, as with the embedded default and no scheduled jobs, this
    process builds its own and rebuilds it every few minutes so closed cases drop out."""
    global _index, _loader
    stamp = _saved_index_stamp()
    current = _index
    if stamp is not None and current is None:
        with _load_lock:  # nothing to answer from yet: wait for the file
            if _index is None or _index.saved_stamp != stamp:
                _load_saved_index(stamp)
    elif (
        stamp is not None
        and current is not None
        and current.saved_stamp != stamp
        and _load_lock.acquire(blocking=False)
    ):
        # A newer file: one thread loads it in the background while every request, this one
        # included, goes on with the index there is (a load takes seconds for a city).
        _loader = threading.Thread(
            target=_load_in_background, args=(stamp,), name="same-problem-index", daemon=True
        )
        _loader.start()
    with _index_lock:
        now = time.monotonic()
        if (
            _index is None
            or (_index.saved_stamp is None and now - _index.built_at > INDEX_REBUILD_SECONDS)
            or (_index.saved_stamp is not None and stamp is None)
        ):
            _index = _OpenCaseIndex(SameProblemIndex(), 0, now)
        newest = Case.objects.aggregate(last=Max("id"))["last"] or 0
        if newest > _index.last_id:
            fresh = (
                Case.objects.filter(id__gt=_index.last_id, status__in=OPEN_STATUSES)
                .select_related("submission")
                .order_by("id")
            )
            _index.index.add_many((str(case.pk), case_text(case)) for case in fresh.iterator())
            _index.last_id = newest
        # Under the lock: a query reads the index's arrays through numpy views, and adding a
        # case from another thread meanwhile would fail to resize them (BufferError).
        return _index.index.query(text, k=k)


def reset_open_case_index() -> None:
    global _index, _unreadable_stamp
    if _loader is not None:
        _loader.join()
    with _index_lock:
        _index = None
        _unreadable_stamp = None


def similar_open_cases(text: str, *, user: User, exclude: Case | None = None, k: int = 5):
    """Open cases the user may see that report the same concrete problem, best first, as
    (case, score)."""
    hits = _open_case_hits(text, k + 1)
    ids = [int(case_id) for case_id, _score in hits]
    cases = (
        Case.objects.visible_to(user)
        .filter(pk__in=ids, status__in=OPEN_STATUSES)
        .select_related("submission", "unit")
        .in_bulk()
    )
    found = [
        (cases[int(case_id)], score)
        for case_id, score in hits
        if int(case_id) in cases and (exclude is None or int(case_id) != exclude.pk)
    ]
    return found[:k]


# Clustering runs ---------------------------------------------------------------------------


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, dtime.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), dtime.min, tzinfo=zone),
    )


def _messages(cases) -> list[Message]:
    """Cases as the engine sees them; a phone or e-mail tells whether two came from one person,
    and the public's "me too" (附议, civicdesk.nearby) are the message's likes."""
    return [
        Message(
            id=str(case.pk),
            text=case_text(case),
            likes=case.endorsement_count,
            time=case.received_at,
            enterprise=case.submission.for_enterprise,
            user=case.submission.contact_phone or case.submission.contact_email or None,
        )
        for case in with_endorsement_counts(cases.select_related("submission"))
    ]


@dataclass(frozen=True)
class ProblemHeat:
    heat: float
    cases: int


def problem_heats(
    problem_ids: list[int], *, start: datetime, end: datetime
) -> dict[int, ProblemHeat]:
    """Each problem's heat by the engine's formula over its linked cases received in
    [start, end), measured at `end` (or now, if sooner), and how many those cases are; one
    query for all the problems."""
    cases = Case.objects.filter(
        problems__in=problem_ids, received_at__gte=start, received_at__lt=end
    )
    rows = with_endorsement_counts(cases).values_list(
        "problems",
        "received_at",
        "submission__for_enterprise",
        "submission__contact_phone",
        "submission__contact_email",
        "endorsement_count",
    )
    members: dict[int, list[Message]] = {pk: [] for pk in problem_ids}
    for problem_id, received, enterprise, phone, email, likes in rows:
        members[problem_id].append(
            Message(
                id="",
                text="",
                likes=likes,
                time=received,
                enterprise=enterprise,
                user=phone or email or None,
            )
        )
    moment = min(end, timezone.now())
    return {pk: ProblemHeat(heat(ms, moment), len(ms)) for pk, ms in members.items()}


def run_cases(run: ClusterRun):
    start, end = _day_bounds(run.period_start, run.period_end)
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    channels = list(run.channels.all())
    if channels:
        cases = cases.filter(submission__channel__in=channels)
    return cases


@transaction.atomic
def cluster_run_start(
    *, actor: User, period_start: date, period_end: date, channels: list[Channel]
) -> ClusterRun:
    if period_end < period_start:
        raise ProblemError(_("The end date is before the start date."))
    run = ClusterRun.objects.create(
        created_by=actor, period_start=period_start, period_end=period_end
    )
    run.channels.set(channels)
    from civicdesk.problems.tasks import run_clustering

    transaction.on_commit(lambda: run_clustering.enqueue(run.pk))
    return run


def cluster_run_execute(run: ClusterRun) -> ClusterRun:
    """Cluster the run's cases. Safe to repeat: a finished run is left alone, and an
    interrupted one starts again from nothing."""
    with transaction.atomic():
        run = ClusterRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.DONE:
            return run
        run.clusters.all().delete()
        run.status = RunStatus.RUNNING
        run.save(update_fields=["status"])
    started = time.monotonic()
    try:
        messages = _messages(run_cases(run))
        clusters = cluster_messages(messages) if messages else []
        with transaction.atomic():
            for cluster in clusters:
                record = ProblemCluster.objects.create(
                    run=run,
                    title=cluster.title[:200],
                    heat=cluster.heat,
                    first_at=cluster.first,
                    last_at=cluster.last,
                    size=cluster.size,
                )
                record.cases.set([int(i) for i in cluster.member_ids])
            run.status = RunStatus.DONE
            run.n_cases = len(messages)
            run.n_clusters = len(clusters)
            run.seconds = round(time.monotonic() - started, 3)
            run.finished_at = timezone.now()
            run.save()
    except Exception as error:
        logger.exception("clustering run %s failed", run.pk)
        ClusterRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    return run


def _check_open(cluster: ProblemCluster) -> None:
    if cluster.problem_id is not None:
        raise ProblemError(_("This cluster is already on the problem list."))


@transaction.atomic
def cluster_rename(*, cluster: ProblemCluster, title: str, actor: User) -> ProblemCluster:
    title = title.strip()
    if not title:
        raise ProblemError(_("The title cannot be empty."))
    cluster.title = title[:200]
    cluster.save(update_fields=["title"])
    return cluster


def _refresh(cluster: ProblemCluster) -> None:
    """Size, span and heat follow the members after a merge or split; heat uses the engine's
    formula, measured from the newest case of the run as the clustering itself was."""
    members = _messages(cluster.cases.all())
    newest = ProblemCluster.objects.filter(run=cluster.run_id).aggregate(last=Max("last_at"))
    times = [m.time for m in members if m.time]
    cluster.size = len(members)
    cluster.first_at = min(times) if times else None
    cluster.last_at = max(times) if times else None
    cluster.heat = heat(members, max(filter(None, [newest["last"], cluster.last_at]), default=None))
    cluster.save(update_fields=["size", "first_at", "last_at", "heat"])


@transaction.atomic
def cluster_merge(*, clusters: list[ProblemCluster], actor: User) -> ProblemCluster:
    """Merge clusters of one run into the hottest of them."""
    if len(clusters) < 2:
        raise ProblemError(_("Choose at least two clusters to merge."))
    if len({c.run_id for c in clusters}) != 1:
        raise ProblemError(_("Only clusters of the same run can be merged."))
    for cluster in clusters:
        _check_open(cluster)
    target, *others = sorted(clusters, key=lambda c: (-c.heat, c.pk))
    for other in others:
        target.cases.add(*other.cases.all())
        other.delete()
    _refresh(target)
    return target


@transaction.atomic
def cluster_split(
    *, cluster: ProblemCluster, cases: list[Case], actor: User, title: str = ""
) -> ProblemCluster:
    """Move some cases of a cluster into a new cluster of the same run."""
    _check_open(cluster)
    members = set(cluster.cases.values_list("pk", flat=True))
    chosen = [case for case in cases if case.pk in members]
    if not chosen:
        raise ProblemError(_("Choose the cases to move to a new cluster."))
    if len(chosen) == len(members):
        raise ProblemError(_("Leave at least one case in the cluster."))
    new = ProblemCluster.objects.create(
        run=cluster.run, title=(title.strip() or cluster.title)[:200]
    )
    new.cases.set(chosen)
    cluster.cases.remove(*chosen)
    _refresh(cluster)
    _refresh(new)
    return new


PROBLEM_FIELDS = ("title", "description", "category", "lead_unit", "responsible_official")
PROBLEM_SETS = ("campaigns", "co_units", "cases")


def _snapshot(problem: Problem) -> dict:
    """The problem's record in plain values, for the change history."""
    values = {
        name: getattr(problem, problem._meta.get_field(name).attname) for name in PROBLEM_FIELDS
    }
    if problem.pk:
        for name in PROBLEM_SETS:
            values[name] = sorted(getattr(problem, name).values_list("pk", flat=True))
    return values


def _record_change(problem: Problem, action: str, actor: User | None, before: dict) -> None:
    after = _snapshot(problem)
    changed = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changed or action != "update":
        ProblemChange.append(
            chain=f"problem:{problem.pk}",
            problem=problem,
            action=action,
            actor=actor,
            fields=changed,
        )


@transaction.atomic
def problem_save(
    *,
    problem: Problem | None,
    actor: User,
    title: str,
    description: str = "",
    category: Category | None = None,
    lead_unit=None,
    co_units=(),
    responsible_official: str = "",
    campaigns=(),
    cases=(),
) -> Problem:
    """Create a problem by hand (problem=None) or change one; every change is chained."""
    if not title.strip():
        raise ProblemError(_("Give the problem a title."))
    if lead_unit is not None and lead_unit in list(co_units):
        raise ProblemError(_("The lead unit cannot also be a co-operating unit."))
    creating = problem is None
    problem = problem or Problem(created_by=actor)
    before = {} if creating else _snapshot(problem)
    problem.title = title.strip()[:200]
    problem.description = description.strip()
    problem.category = category
    problem.lead_unit = lead_unit
    problem.responsible_official = responsible_official.strip()
    problem.save()
    problem.campaigns.set(campaigns)
    problem.co_units.set(co_units)
    problem.cases.set(cases)
    _record_change(problem, "create" if creating else "update", actor, before)
    return problem


@transaction.atomic
def cluster_promote(
    *,
    cluster: ProblemCluster,
    actor: User,
    title: str,
    category: Category | None,
    description: str = "",
) -> Problem:
    """Put a cluster on the district's list of prominent problems."""
    _check_open(cluster)
    if not title.strip():
        raise ProblemError(_("Give the problem a title."))
    problem = problem_save(
        problem=None,
        actor=actor,
        title=title,
        description=description,
        category=category,
        cases=list(cluster.cases.all()),
    )
    cluster.problem = problem
    cluster.save(update_fields=["problem"])
    return problem
