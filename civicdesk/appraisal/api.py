"""Appraisal scores in the API (registered under /api/v1/appraisal by civicdesk.api.api), with
the access helpers of the pages: every unit's score for supervisors, leaders, administrators
and clerks, a handler's own unit (and below) for handlers; new scheme versions by supervisors
and administrators. A scheme whose lines do not parse is a 422 with one entry per line."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django import forms
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import StringConstraints

from civicdesk.api.auth import staff_token
from civicdesk.api.common import PersonOut, forbid_unless, person, reads, writes
from civicdesk.api.errors import field_error, invalid
from civicdesk.api.schemas import CodeNameOut
from civicdesk.appraisal import access, lines, schemes, scores
from civicdesk.appraisal.forms import MonthForm, parse_month
from civicdesk.appraisal.models import Scheme
from civicdesk.training import figures as training

router = Router(tags=["appraisal"], auth=staff_token)


class MonthQuery(Schema):
    month: str | None = Field(None, description="YYYY-MM; default this month.")


class ScoreLineOut(Schema):
    position: int
    kind: str
    target: str
    label: str
    quantity: Decimal | None = Field(..., description="What the points multiply, if any.")
    quantity_text: str
    points: Decimal
    cap: Decimal | None
    result: Decimal = Field(..., description="Signed: deductions are negative.")
    formula: str
    capped: bool


class TrainingOut(Schema):
    hours: Decimal
    people: int = Field(..., description="Staff with training hours in the month.")
    staff: int
    per_person: Decimal | None


class UnitScoreOut(Schema):
    unit: CodeNameOut
    month: str
    rank: int | None
    total: Decimal | None = Field(..., description="Null when no scheme applies.")
    sum_formula: str
    lines: list[ScoreLineOut]
    training: TrainingOut = Field(
        ..., description="Beside the score; it changes the score only through a scheme line."
    )


class SchemeLineOut(Schema):
    position: int
    kind: str
    target: str
    points: Decimal
    cap: Decimal | None


class SchemeOut(Schema):
    id: int
    name: str
    valid_from: str = Field(..., description="YYYY-MM.")
    note: str
    lines: list[SchemeLineOut]
    created_by: PersonOut | None


class ScoresOut(Schema):
    month: str
    scheme: SchemeOut | None
    units: list[UnitScoreOut]


class DrillRowOut(Schema):
    code: str
    text: str
    when: str | None
    counted: bool | None = Field(..., description="Rate lines: in the numerator or not.")


class LineRowsOut(Schema):
    line: ScoreLineOut
    rows: list[DrillRowOut]


Number = str | int | float


class SchemeLineIn(Schema):
    kind: str = Field(..., max_length=40, description="A line kind code, e.g. overdue_case.")
    target: str = Field("", max_length=40, description="Rate lines: which rate.")
    points: Number = Field(..., description='A number of points, e.g. 30 or "0.5".')
    cap: Number | None = Field(None, description="Deductions and bonuses: at most this.")


class SchemeIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    valid_from: str = Field(..., description="The first month it applies to, YYYY-MM.")
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    lines: list[SchemeLineIn] = Field(..., max_length=40)


def _month(query: MonthQuery) -> date:
    form = MonthForm({"month": query.month or MonthForm.this_month()})
    if not form.is_valid():
        raise invalid("query", "month", form.errors["month"][0])
    return form.cleaned_data["month"]


def _line_out(line: scores.ScoreLine) -> dict:
    measured = line.measured
    return {
        "position": line.position,
        "kind": line.line.kind,
        "target": line.line.target,
        "label": line.label,
        "quantity": measured.quantity if measured else None,
        "quantity_text": measured.text if measured else "",
        "points": line.line.points,
        "cap": line.line.cap,
        "result": line.result,
        "formula": line.formula,
        "capped": line.capped,
    }


def _score_out(score: scores.UnitScore) -> dict:
    found = training.unit_figures(score.unit, *scores.month_bounds(score.month))
    return {
        "unit": {"code": score.unit.code, "name": score.unit.name},
        "month": f"{score.month:%Y-%m}",
        "rank": score.rank,
        "total": score.total,
        "sum_formula": score.sum_formula,
        "lines": [_line_out(line) for line in score.lines],
        "training": {
            "hours": found.hours,
            "people": found.people,
            "staff": found.staff,
            "per_person": found.per_person,
        },
    }


def scheme_out(scheme: Scheme) -> dict:
    return {
        "id": scheme.pk,
        "name": scheme.name,
        "valid_from": f"{scheme.valid_from:%Y-%m}",
        "note": scheme.note,
        "lines": [
            {
                "position": line.position,
                "kind": line.kind,
                "target": line.target,
                "points": line.points,
                "cap": line.cap,
            }
            for line in scheme.lines.all()
        ],
        "created_by": person(scheme.created_by),
    }


@router.get("/scores", response=reads(ScoresOut), summary="Every unit's score for a month")
def list_scores(request: HttpRequest, query: Query[MonthQuery]) -> dict:
    forbid_unless(access.can_read_all(request.auth))
    month = _month(query)
    scheme = Scheme.objects.in_force(month)
    return {
        "month": f"{month:%Y-%m}",
        "scheme": scheme_out(scheme) if scheme else None,
        "units": [_score_out(score) for score in scores.month_scores(month)],
    }


@router.get("/units/{code}", response=reads(UnitScoreOut), summary="A unit's score, line by line")
def get_unit_score(request: HttpRequest, code: str, query: Query[MonthQuery]) -> dict:
    forbid_unless(access.can_read_scores(request.auth))
    unit = access.get_unit_for_user(request.auth, code)
    return _score_out(scores.unit_score(unit, _month(query)))


@router.get(
    "/units/{code}/lines/{position}",
    response=reads(LineRowsOut),
    summary="The rows behind one line of a unit's score (its drill-down)",
)
def get_score_line(
    request: HttpRequest, code: str, position: int, query: Query[MonthQuery]
) -> dict:
    forbid_unless(access.can_read_scores(request.auth))
    unit = access.get_unit_for_user(request.auth, code)
    month = _month(query)
    scheme = Scheme.objects.in_force(month)
    found = scheme.lines.filter(position=position).first() if scheme else None
    if found is None:
        raise Http404
    scored = scores.score_line(found, unit, scores.period_of(month))
    return {
        "line": _line_out(scored),
        "rows": [
            {
                "code": row.code,
                "text": row.text,
                "when": row.when.isoformat() if row.when else None,
                "counted": row.counted,
            }
            for row in scores.line_rows(unit, month, found)
        ],
    }


@router.get("/schemes", response=reads(list[SchemeOut]), summary="The scheme's versions")
def list_schemes(request: HttpRequest) -> list[dict]:
    forbid_unless(access.can_read_scores(request.auth))
    return [scheme_out(s) for s in Scheme.objects.prefetch_related("lines")]


@router.get("/line-kinds", response=reads(dict[str, str]), summary="The kinds of line")
def list_line_kinds(request: HttpRequest) -> dict[str, str]:
    forbid_unless(access.can_read_scores(request.auth))
    return {code: str(kind.label) for code, kind in lines.kinds().items()}


@router.post(
    "/schemes",
    response=writes(SchemeOut, 201),
    summary="Save a new version of the scheme, all or nothing; errors name the line",
)
def create_scheme(request: HttpRequest, payload: SchemeIn) -> Status:
    forbid_unless(access.can_edit_schemes(request.auth))
    try:
        valid_from = parse_month(payload.valid_from)
    except forms.ValidationError as error:
        raise invalid("body", "valid_from", error.messages[0]) from None
    try:
        scheme = schemes.scheme_create(
            name=payload.name,
            valid_from=valid_from,
            note=payload.note,
            rows=[line.dict() for line in payload.lines],
            actor=request.auth,
        )
    except schemes.SchemeError as error:
        raise NinjaValidationError(
            [field_error("body", "lines", message) for message in error.errors]
        ) from None
    return Status(201, scheme_out(scheme))
