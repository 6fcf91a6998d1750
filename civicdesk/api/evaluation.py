"""Evaluation: the units' response, resolution and satisfaction rates (with on-time closure,
reopen rate and bad-rating rectification) for a period, a handler's own unit, and the
satisfaction follow-ups of a case with the return calls staff record. Definitions of every
rate: civicdesk/evaluation/RATES.md."""

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import PersonOut, check_period, forbid_unless, person, reads, writes
from civicdesk.api.errors import ApiError
from civicdesk.api.schemas import CodeNameOut
from civicdesk.evaluation import access, rates, services
from civicdesk.evaluation.models import AnswerChannel, FollowUp, FollowUpStatus
from civicdesk.evaluation.rates import Figure, UnitRates

router = Router(tags=["evaluation"], auth=staff_token)


# --- Shapes --------------------------------------------------------------------------------


class FigureOut(Schema):
    numerator: int
    denominator: int
    rate: float | None = Field(..., description="numerator / denominator; null when 0 / 0.")


class RatesOut(Schema):
    response: FigureOut
    resolution: FigureOut = Field(
        ...,
        description="Solved over solved plus not solved, among the cases answered in the period "
        "whose follow-up got an answer (online, return call or staff verification).",
    )
    no_answer: FigureOut = Field(
        ...,
        description="Shown beside the resolution rate: numerator, the cases answered in the "
        "period whose follow-up closed without an answer (in neither count of the resolution "
        "rate); denominator, the cases answered in the period.",
    )
    satisfaction: FigureOut
    on_time: FigureOut
    reopen: FigureOut
    rectification: FigureOut
    first_contact: FigureOut = Field(
        ...,
        description="Cases answered in the period whose answer was their first reply, never "
        "reopened, with a knowledge-base entry inserted into it (一次性告知).",
    )


class UnitRatesOut(Schema):
    unit: CodeNameOut | None = Field(..., description="Null for the whole district.")
    rank: int | None
    case_count: int = Field(..., description="Cases received in the period (subtree).")
    score: float | None = Field(..., description="Mean of the three main rates it has.")
    rates: RatesOut


class RatesTableOut(Schema):
    since: date
    until: date
    min_cases: int = Field(..., description="Cases a unit needs in the period to be ranked.")
    ranked: list[UnitRatesOut]
    too_few: list[UnitRatesOut] = Field(..., description="Listed apart, never ranked.")


class PeriodQuery(Schema):
    since: date | None = Field(None, description="First day; default the 1st of this month.")
    until: date | None = Field(None, description="Last day; default today.")


class FollowUpOut(Schema):
    id: int
    status: FollowUpStatus
    answer_of: datetime = Field(..., description="When the answer asked about was given.")
    due_at: datetime
    sent_via: str
    responded_at: datetime | None
    channel: str
    solved: bool | None
    satisfaction: int | None
    comment: str
    recorded_by: PersonOut | None


class CallChannel(StrEnum):
    """How staff learned the answer (the reporter's own online answer is not theirs to enter)."""

    PHONE = AnswerChannel.PHONE
    VERIFIED = AnswerChannel.VERIFIED


class CallIn(Schema):
    channel: CallChannel = Field(
        CallChannel.PHONE, description="phone: a return call; verified: staff verification."
    )
    solved: bool
    satisfaction: int | None = Field(
        None, ge=1, le=5, description="5 very satisfied … 1; leave out for a verification."
    )
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class CaseFollowUpsOut(Schema):
    case_id: int
    tracking_code: str
    case_status: str
    followups: list[FollowUpOut] = Field(..., description="Newest first.")


# --- Output --------------------------------------------------------------------------------


def figure_out(figure: Figure) -> dict:
    return {"numerator": figure.numerator, "denominator": figure.denominator, "rate": figure.rate}


def rates_out(figures: dict[str, Figure]) -> dict:
    return {name: figure_out(figures.get(name, Figure(0, 0))) for name in rates.ALL_FIGURES}


def unit_rates_out(row: UnitRates) -> dict:
    unit = row.unit
    return {
        "unit": None if unit is None else {"code": unit.code, "name": unit.name},
        "rank": row.rank,
        "case_count": row.case_count,
        "score": row.score,
        "rates": rates_out(row.figures),
    }


def period(source: str, since: date | None, until: date | None) -> tuple[date, date]:
    """The period asked for (default: this month so far), checked as the pages check it."""
    today = timezone.localdate()
    since = since or today.replace(day=1)
    until = until or today
    check_period(
        source,
        since,
        until,
        end_field="until",
        max_span_days=365,
        too_long=_("Choose a period of at most one year."),
    )
    return since, until


def aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _followup_out(followup: FollowUp) -> dict:
    return {
        "id": followup.pk,
        "status": followup.status,
        "answer_of": followup.answer_of,
        "due_at": followup.due_at,
        "sent_via": followup.sent_via,
        "responded_at": followup.responded_at,
        "channel": followup.channel,
        "solved": followup.solved,
        "satisfaction": followup.satisfaction,
        "comment": followup.comment,
        "recorded_by": person(followup.recorded_by),
    }


def _case_followups(case) -> dict:
    case.refresh_from_db()
    return {
        "case_id": case.pk,
        "tracking_code": case.tracking_code,
        "case_status": case.status,
        "followups": [_followup_out(f) for f in case.followups.select_related("recorded_by").all()],
    }


def _case_for_calls(user: User, case_id: int):
    forbid_unless(access.can_record_calls(user))
    case = access.cases_for_calls(user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


# --- Operations ----------------------------------------------------------------------------


@router.get(
    "/rates", response=reads(RatesTableOut), summary="The units' rates for a period, ranked"
)
def rates_table(request: HttpRequest, query: Query[PeriodQuery]) -> dict:
    forbid_unless(access.can_read_table(request.auth))
    since, until = period("query", query.since, query.until)
    ranking = rates.rank_units(
        rates.appraised_units(), aware(since), aware(until + timedelta(days=1))
    )
    return {
        "since": since,
        "until": until,
        "min_cases": ranking.min_cases,
        "ranked": [unit_rates_out(row) for row in ranking.ranked],
        "too_few": [unit_rates_out(row) for row in ranking.too_few],
    }


@router.get(
    "/my-unit", response=reads(UnitRatesOut), summary="A handler's own unit's rates for a period"
)
def my_unit_rates(request: HttpRequest, query: Query[PeriodQuery]) -> dict:
    user: User = request.auth
    forbid_unless(access.can_read_own_unit(user))
    since, until = period("query", query.since, query.until)
    row = rates.unit_rates(user.unit, aware(since), aware(until + timedelta(days=1)))
    return unit_rates_out(row)


@router.get(
    "/cases/{case_id}/followups",
    response=reads(CaseFollowUpsOut),
    summary="A case's satisfaction follow-ups",
)
def list_case_followups(request: HttpRequest, case_id: int) -> dict:
    return _case_followups(_case_for_calls(request.auth, case_id))


@router.post(
    "/cases/{case_id}/call",
    response=writes(CaseFollowUpsOut),
    summary="Record a return call or a staff verification; 'not solved' reopens the case",
)
def record_return_call(request: HttpRequest, case_id: int, payload: CallIn) -> dict:
    user: User = request.auth
    case = _case_for_calls(user, case_id)
    try:
        services.followup_record_call(
            case=case,
            actor=user,
            channel=payload.channel.value,
            solved=payload.solved,
            satisfaction=payload.satisfaction,
            comment=payload.comment,
        )
    except services.FollowUpError as error:
        raise ApiError(409, str(error)) from None
    return _case_followups(case)
