"""Clustering runs and their clusters: start a run for a period and channels, follow it, and
merge, split, rename or promote its clusters to the problem list. Same audience as the
triage pages: clerks, supervisors, leaders and administrators read; leaders change nothing."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.cases import case_list_item
from civicdesk.api.common import (
    Page,
    PersonOut,
    cases_by_code,
    category_by_code,
    check_period,
    forbid_unless,
    person,
    reads,
    writes,
)
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.problems import ProblemOut, problem_detail, require_reader
from civicdesk.api.schemas import CaseListItemOut, Text
from civicdesk.intake.models import Channel
from civicdesk.problems import access, services
from civicdesk.problems.models import ClusterRun, ProblemCluster, RunStatus

router = Router(tags=["triage"], auth=staff_token)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


# --- Shapes --------------------------------------------------------------------------------


class RunIn(Schema):
    period_start: date
    period_end: date
    channels: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        [], max_length=50, description="Channel codes; none means every channel."
    )


class RunOut(Schema):
    id: int
    status: RunStatus
    period_start: date
    period_end: date
    channels: list[str]
    n_cases: int
    n_clusters: int
    seconds: float | None
    error: str
    created_by: PersonOut | None
    created_at: datetime
    finished_at: datetime | None


class ClusterListItemOut(Schema):
    id: int
    run_id: int
    title: str
    heat: float
    size: int
    first_at: datetime | None
    last_at: datetime | None
    problem_id: int | None = Field(..., description="Set once promoted to the problem list.")


class ClusterOut(ClusterListItemOut):
    cases: list[CaseListItemOut]


class MergeClustersIn(Schema):
    clusters: list[int] = Field(..., min_length=2, max_length=500, description="Cluster ids.")


class RenameIn(Schema):
    title: Title


class SplitIn(Schema):
    cases: list[Annotated[str, StringConstraints(max_length=30)]] = Field(
        ..., min_length=1, max_length=5000, description="Tracking codes to move out."
    )
    title: Text = Field("", max_length=200, description="Title of the new cluster.")


class PromoteIn(Schema):
    title: Title
    category: Text | None = Field(None, max_length=60, description="Aspect or category code.")
    description: Text = Field("", max_length=10000)


# --- Output --------------------------------------------------------------------------------


def run_out(run: ClusterRun) -> dict:
    return {
        "id": run.pk,
        "status": run.status,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "channels": [channel.code for channel in run.channels.all()],
        "n_cases": run.n_cases,
        "n_clusters": run.n_clusters,
        "seconds": run.seconds,
        "error": run.error,
        "created_by": person(run.created_by),
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def cluster_item(cluster: ProblemCluster) -> dict:
    return {
        "id": cluster.pk,
        "run_id": cluster.run_id,
        "title": cluster.title,
        "heat": cluster.heat,
        "size": cluster.size,
        "first_at": cluster.first_at,
        "last_at": cluster.last_at,
        "problem_id": cluster.problem_id,
    }


def cluster_out(cluster: ProblemCluster) -> dict:
    cases = cluster.cases.select_related(
        "submission__channel", "unit", "category", "submission"
    ).order_by("received_at")
    return cluster_item(cluster) | {"cases": [case_list_item(case) for case in cases]}


def _require_editor(user: User) -> None:
    require_reader(user)
    forbid_unless(access.can_edit(user))


def _service(call, **kwargs):
    try:
        return call(**kwargs)
    except services.ProblemError as error:
        raise ApiError(409, str(error)) from None


# --- Runs ----------------------------------------------------------------------------------


@router.post("/runs", response=writes(RunOut, 201), summary="Start a clustering run")
def start_cluster_run(request: HttpRequest, payload: RunIn) -> Status[dict]:
    user: User = request.auth
    _require_editor(user)
    check_period(
        "body",
        payload.period_start,
        payload.period_end,
        end_field="period_end",
        max_span_days=366,
        too_long=_("Choose a period of at most one year."),
    )
    codes = list(dict.fromkeys(payload.channels))
    channels = list(Channel.objects.filter(code__in=codes, is_active=True))
    unknown = sorted(set(codes) - {channel.code for channel in channels})
    if unknown:
        raise invalid(
            "body", "channels", _("There is no channel “%(code)s”.") % {"code": ", ".join(unknown)}
        )
    run = _service(
        services.cluster_run_start,
        actor=user,
        period_start=payload.period_start,
        period_end=payload.period_end,
        channels=channels,
    )
    return Status(201, run_out(run))


@router.get("/runs", response=reads(list[RunOut]), summary="Clustering runs, newest first")
@paginate(Page, serialize=run_out)
def list_cluster_runs(request: HttpRequest) -> Any:
    require_reader(request.auth)
    return ClusterRun.objects.select_related("created_by").prefetch_related("channels")


@router.get("/runs/{run_id}", response=reads(RunOut), summary="A run and how far it got")
def get_cluster_run(request: HttpRequest, run_id: int) -> dict:
    require_reader(request.auth)
    return run_out(access.get_run_for_user(request.auth, run_id))


@router.get(
    "/runs/{run_id}/clusters",
    response=reads(list[ClusterListItemOut]),
    summary="A run's clusters, hottest first",
)
@paginate(Page, serialize=cluster_item)
def list_run_clusters(request: HttpRequest, run_id: int) -> Any:
    require_reader(request.auth)
    return access.get_run_for_user(request.auth, run_id).clusters.all()


@router.post("/runs/{run_id}/merge", response=writes(ClusterOut), summary="Merge clusters of a run")
def merge_clusters(request: HttpRequest, run_id: int, payload: MergeClustersIn) -> dict:
    user: User = request.auth
    _require_editor(user)
    run = access.get_run_for_user(user, run_id)
    ids = list(dict.fromkeys(payload.clusters))
    clusters = list(run.clusters.filter(pk__in=ids))
    unknown = sorted(set(ids) - {cluster.pk for cluster in clusters})
    if unknown:
        raise invalid(
            "body",
            "clusters",
            _("This run has no cluster %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
        )
    return cluster_out(_service(services.cluster_merge, clusters=clusters, actor=user))


# --- Clusters ------------------------------------------------------------------------------


@router.get("/clusters/{cluster_id}", response=reads(ClusterOut), summary="A cluster's cases")
def get_cluster(request: HttpRequest, cluster_id: int) -> dict:
    require_reader(request.auth)
    return cluster_out(access.get_cluster_for_user(request.auth, cluster_id))


@router.post(
    "/clusters/{cluster_id}/rename", response=writes(ClusterOut), summary="Rename a cluster"
)
def rename_cluster(request: HttpRequest, cluster_id: int, payload: RenameIn) -> dict:
    user: User = request.auth
    _require_editor(user)
    cluster = access.get_cluster_for_user(user, cluster_id)
    _service(services.cluster_rename, cluster=cluster, title=payload.title, actor=user)
    return cluster_out(cluster)


@router.post(
    "/clusters/{cluster_id}/split",
    response=writes(ClusterOut, 201),
    summary="Move some cases of a cluster into a new cluster",
)
def split_cluster(request: HttpRequest, cluster_id: int, payload: SplitIn) -> Status[dict]:
    user: User = request.auth
    _require_editor(user)
    cluster = access.get_cluster_for_user(user, cluster_id)
    cases = cases_by_code("body", "cases", payload.cases, queryset=cluster.cases.all())
    new = _service(
        services.cluster_split, cluster=cluster, cases=cases, actor=user, title=payload.title
    )
    return Status(201, cluster_out(new))


@router.post(
    "/clusters/{cluster_id}/promote",
    response=writes(ProblemOut, 201),
    summary="Put a cluster on the problem list",
)
def promote_cluster(request: HttpRequest, cluster_id: int, payload: PromoteIn) -> Status[dict]:
    user: User = request.auth
    _require_editor(user)
    cluster = access.get_cluster_for_user(user, cluster_id)
    problem = _service(
        services.cluster_promote,
        cluster=cluster,
        actor=user,
        title=payload.title,
        category=category_by_code("body", "category", payload.category),
        description=payload.description,
    )
    return Status(201, problem_detail(problem))
