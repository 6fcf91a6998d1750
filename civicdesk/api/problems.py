"""The district's list of prominent problems: read it, add to it by hand, change who leads a
problem, its campaigns and the cases linked to it. Clerks, supervisors, leaders and
administrators read it (as on the triage pages); leaders change nothing."""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    FieldChangeOut,
    Page,
    PersonOut,
    cases_by_code,
    category_by_code,
    code_name,
    field_changes,
    forbid_unless,
    optional_unit,
    person,
    reads,
    units_by_code,
    writes,
)
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import CodeNameOut, Text
from civicdesk.problems import access, services
from civicdesk.problems.models import Campaign, Problem

router = Router(tags=["problems"], auth=staff_token)

# --- Shapes --------------------------------------------------------------------------------


class ProblemIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Text = Field("", max_length=10000)
    category: Text | None = Field(None, max_length=60, description="Aspect or category code.")
    lead_unit: Text | None = Field(None, max_length=40, description="Code of the lead unit.")
    co_units: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        [], max_length=200, description="Codes of the co-operating units."
    )
    responsible_official: Text = Field("", max_length=80)
    campaigns: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        [], max_length=50, description="Campaign codes."
    )
    cases: list[Annotated[str, StringConstraints(max_length=30)]] = Field(
        [], max_length=5000, description="Tracking codes of the linked cases (all of them)."
    )

    @field_validator("co_units")
    @classmethod
    def _lead_not_co(cls, value: list[str], info: ValidationInfo) -> list[str]:
        lead = info.data.get("lead_unit")
        if lead and lead in value:
            raise PydanticCustomError(
                "lead_unit", _("The lead unit cannot also be a co-operating unit.")
            )
        return value


class LinkCasesIn(Schema):
    cases: list[Annotated[str, StringConstraints(max_length=30)]] = Field(
        ..., min_length=1, max_length=5000, description="Tracking codes to link as well."
    )


class ProblemFilters(Schema):
    campaign: str | None = Field(None, description="Campaign code.")
    category: str | None = Field(None, description="Aspect or category code.")


class ProblemListItemOut(Schema):
    id: int
    title: str
    category: CodeNameOut | None
    lead_unit: CodeNameOut | None
    campaigns: list[CodeNameOut]
    case_count: int
    created_at: datetime


class LinkedCaseOut(Schema):
    id: int
    tracking_code: str
    status: str
    channel: str
    unit: CodeNameOut | None
    received_at: datetime


class ChannelCountOut(Schema):
    channel: str
    count: int


class ClusterRefOut(Schema):
    id: int
    run_id: int
    title: str


class ProblemChangeOut(Schema):
    position: int
    action: str
    actor: PersonOut | None
    changes: list[FieldChangeOut]
    created_at: datetime
    hash: str


class ProblemOut(ProblemListItemOut):
    description: str
    co_units: list[CodeNameOut]
    responsible_official: str
    created_by: PersonOut | None
    cases: list[LinkedCaseOut]
    cases_by_channel: list[ChannelCountOut]
    clusters: list[ClusterRefOut]
    changes: list[ProblemChangeOut] = Field(..., description="The latest 50, newest first.")


# --- Output --------------------------------------------------------------------------------


def problem_item(problem: Problem) -> dict:
    count = getattr(problem, "n_cases", None)
    return {
        "id": problem.pk,
        "title": problem.title,
        "category": code_name(problem.category),
        "lead_unit": code_name(problem.lead_unit),
        "campaigns": [code_name(c) for c in problem.campaigns.all()],
        "case_count": problem.cases.count() if count is None else count,
        "created_at": problem.created_at,
    }


def problem_detail(problem: Problem) -> dict:
    cases = list(
        problem.cases.select_related("submission__channel", "unit").order_by("-received_at")
    )
    by_channel: dict[str, int] = {}
    for case in cases:
        code = case.submission.channel.code
        by_channel[code] = by_channel.get(code, 0) + 1
    changes = problem.changes.select_related("actor").order_by("-position")[:50]
    return problem_item(problem) | {
        "case_count": len(cases),
        "description": problem.description,
        "co_units": [code_name(u) for u in problem.co_units.all()],
        "responsible_official": problem.responsible_official,
        "created_by": person(problem.created_by),
        "cases": [
            {
                "id": case.pk,
                "tracking_code": case.tracking_code,
                "status": case.status,
                "channel": case.submission.channel.code,
                "unit": code_name(case.unit),
                "received_at": case.received_at,
            }
            for case in cases
        ],
        "cases_by_channel": [{"channel": k, "count": n} for k, n in sorted(by_channel.items())],
        "clusters": [
            {"id": c.pk, "run_id": c.run_id, "title": c.title} for c in problem.clusters.all()
        ],
        "changes": [
            {
                "position": change.position,
                "action": change.action,
                "actor": person(change.actor),
                "changes": field_changes(change.fields),
                "created_at": change.created_at,
                "hash": change.hash,
            }
            for change in changes
        ],
    }


# --- Helpers -------------------------------------------------------------------------------


def require_reader(user: User) -> None:
    forbid_unless(access.can_read(user))


def _campaigns(codes: list[str]) -> list[Campaign]:
    found = Campaign.objects.in_bulk(codes, field_name="code")
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise invalid(
            "body",
            "campaigns",
            _("There is no campaign “%(code)s”.") % {"code": ", ".join(unknown)},
        )
    return [found[code] for code in dict.fromkeys(codes)]


def _save(problem: Problem | None, user: User, payload: ProblemIn) -> Problem:
    try:
        return services.problem_save(
            problem=problem,
            actor=user,
            title=payload.title,
            description=payload.description,
            category=category_by_code("body", "category", payload.category),
            lead_unit=optional_unit("body", "lead_unit", payload.lead_unit),
            co_units=units_by_code("body", "co_units", payload.co_units),
            responsible_official=payload.responsible_official,
            campaigns=_campaigns(payload.campaigns),
            cases=cases_by_code("body", "cases", payload.cases),
        )
    except services.ProblemError as error:
        raise ApiError(409, str(error)) from None


# --- Operations ----------------------------------------------------------------------------


@router.get("", response=reads(list[ProblemListItemOut]), summary="The prominent problems")
@paginate(Page, serialize=problem_item)
def list_problems(request: HttpRequest, filters: Query[ProblemFilters]) -> Any:
    require_reader(request.auth)
    problems = (
        Problem.objects.select_related("category", "lead_unit")
        .prefetch_related("campaigns")
        .annotate(n_cases=Count("cases", distinct=True))
    )
    if filters.campaign:
        problems = problems.filter(campaigns__code=filters.campaign)
    if filters.category:
        problems = problems.filter(category__code=filters.category)
    return problems


@router.post("", response=writes(ProblemOut, 201), summary="Add a problem by hand")
def create_problem(request: HttpRequest, payload: ProblemIn) -> Status[dict]:
    user: User = request.auth
    require_reader(user)
    forbid_unless(access.can_edit(user))
    return Status(201, problem_detail(_save(None, user, payload)))


@router.get("/{problem_id}", response=reads(ProblemOut), summary="A problem with its cases")
def get_problem(request: HttpRequest, problem_id: int) -> dict:
    require_reader(request.auth)
    return problem_detail(access.get_problem_for_user(request.auth, problem_id))


@router.put(
    "/{problem_id}",
    response=writes(ProblemOut),
    summary="Change a problem: title, lead, co-operating units, campaigns, linked cases",
)
def update_problem(request: HttpRequest, problem_id: int, payload: ProblemIn) -> dict:
    user: User = request.auth
    require_reader(user)
    problem = access.get_problem_for_user(user, problem_id)
    forbid_unless(access.can_edit(user))
    return problem_detail(_save(problem, user, payload))


@router.post(
    "/{problem_id}/cases", response=writes(ProblemOut), summary="Link more cases to a problem"
)
def link_problem_cases(request: HttpRequest, problem_id: int, payload: LinkCasesIn) -> dict:
    user: User = request.auth
    require_reader(user)
    problem = access.get_problem_for_user(user, problem_id)
    forbid_unless(access.can_edit(user))
    added = cases_by_code("body", "cases", payload.cases)
    try:
        problem = services.problem_save(
            problem=problem,
            actor=user,
            title=problem.title,
            description=problem.description,
            category=problem.category,
            lead_unit=problem.lead_unit,
            co_units=list(problem.co_units.all()),
            responsible_official=problem.responsible_official,
            campaigns=list(problem.campaigns.all()),
            cases=[*problem.cases.all(), *added],
        )
    except services.ProblemError as error:
        raise ApiError(409, str(error)) from None
    return problem_detail(problem)
