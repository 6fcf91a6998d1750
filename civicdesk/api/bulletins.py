"""Bulletins (通报) as data: the prominent-problem list or the progress bulletin for a period,
the same figures /staff/bulletins/ writes as XLSX or DOCX. Readers of the problem list only."""

from dataclasses import asdict
from datetime import date
from enum import StrEnum

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from civicdesk.api.auth import staff_token
from civicdesk.api.common import check_period, forbid_unless, reads
from civicdesk.bulletins import build
from civicdesk.problems.access import can_read

router = Router(tags=["bulletins"], auth=staff_token)


class BulletinKind(StrEnum):
    PROBLEM_LIST = build.PROBLEM_LIST
    PROGRESS = build.PROGRESS


class BulletinQuery(Schema):
    period_start: date | None = Field(None, description="Default: the 1st of this month.")
    period_end: date | None = Field(None, description="Default: today.")


class ProblemRowOut(Schema):
    number: int
    title: str
    aspect: str
    category: str
    cases_by_channel: dict[str, int] = Field(..., description="Channel name → linked cases.")
    n_cases: int
    n_answered: int
    n_overdue: int
    lead_unit: str
    co_units: list[str]
    official: str
    campaigns: list[str]
    progress: float | None
    basis: str
    n_measures: int
    n_overdue_measures: int


class AspectGroupOut(Schema):
    name: str
    problems: list[ProblemRowOut]


class UnitRowOut(Schema):
    name: str
    n_led: int
    n_co: int
    n_cases: int
    n_answered: int
    n_overdue: int
    progress: float | None
    n_overdue_measures: int


class CampaignRowOut(Schema):
    name: str
    n_problems: int
    n_cases: int
    n_answered: int
    n_overdue: int
    progress: float | None
    n_overdue_measures: int


class BulletinOut(Schema):
    kind: BulletinKind
    period_start: date
    period_end: date
    generated_on: date
    basis: str = Field(..., description="Progress from 'measures' or from 'cases' answered.")
    channels: list[str]
    aspects: list[AspectGroupOut]
    units: list[UnitRowOut]
    campaigns: list[CampaignRowOut]
    n_problems: int
    n_cases: int
    n_answered: int
    n_overdue: int
    n_overdue_measures: int


@router.get("/{kind}", response=reads(BulletinOut), summary="A bulletin's figures for a period")
def get_bulletin(request: HttpRequest, kind: BulletinKind, query: Query[BulletinQuery]) -> dict:
    forbid_unless(can_read(request.auth))
    today = timezone.localdate()
    start = query.period_start or today.replace(day=1)
    end = query.period_end or today
    check_period(
        "query",
        start,
        end,
        end_field="period_end",
        max_span_days=366,
        too_long=_("Choose a period of at most one year."),
    )
    return asdict(build.build_bulletin(kind.value, start, end))
