"""Training records in the API (registered under /api/v1/training by civicdesk.api.api), with
the access helpers of the pages: every staff member (discipline inspectors aside) reads and
records their own reading; supervisors and administrators organise sessions, assignments and
contests, record attendance (or import a sign-in sheet, all or nothing) and scores."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StringConstraints

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import (
    ImportErrorOut,
    PersonOut,
    code_name,
    conflict,
    forbid_unless,
    import_errors,
    person,
    reads,
    unit_by_code,
    writes,
)
from civicdesk.api.errors import invalid
from civicdesk.api.schemas import CodeNameOut
from civicdesk.training import access, attendance_import, figures, services
from civicdesk.training.models import (
    Contest,
    Session,
    SessionKind,
    StudyAssignment,
)

router = Router(tags=["training"], auth=staff_token)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Hours = Annotated[Decimal, Field(gt=0, le=100, max_digits=4, decimal_places=1)]


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Default: this year.")


class SessionIn(Schema):
    kind: SessionKind
    date: date
    topic: Title
    speaker: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    hours: Hours
    unit: str = Field(..., description="Code of the organising unit.")
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class SessionOut(Schema):
    id: int
    kind: SessionKind
    date: date
    topic: str
    speaker: str
    hours: Decimal
    unit: CodeNameOut
    place: str
    attendees: list[PersonOut]


class PeopleIn(Schema):
    usernames: list[str] = Field(..., min_length=1, max_length=1000)


class AddedOut(Schema):
    added: int
    already: int = Field(..., description="Already recorded (counted once).")


class AssignmentIn(Schema):
    title: Title
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    assigned_on: date
    due_on: date | None = None
    hours: Hours
    unit: str = Field(..., description="Its readers: the staff of this unit and below.")


class ReaderOut(Schema):
    person: PersonOut
    finished_on: date
    reflection: str


class AssignmentOut(Schema):
    id: int
    title: str
    source: str
    assigned_on: date
    due_on: date | None
    hours: Decimal
    unit: CodeNameOut
    readers: list[ReaderOut]


class StudyIn(Schema):
    reflection: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ]
    finished_on: date | None = Field(None, description="Default: today.")


class ContestIn(Schema):
    title: Title
    date: date
    hours: Hours
    max_score: Decimal = Field(Decimal(100), gt=0, le=10000)
    unit: str


class ContestEntryOut(Schema):
    rank: int
    person: PersonOut
    score: Decimal


class ContestOut(Schema):
    id: int
    title: str
    date: date
    hours: Decimal
    max_score: Decimal
    unit: CodeNameOut
    ranking: list[ContestEntryOut]


class ScoreIn(Schema):
    username: str
    score: Decimal = Field(..., ge=0, le=10000)


class UnitHoursOut(Schema):
    unit: CodeNameOut
    hours: Decimal
    people: int
    staff: int
    per_person: Decimal | None


class PersonHoursOut(Schema):
    person: PersonOut
    lectures: Decimal
    study: Decimal
    contests: Decimal
    total: Decimal


class HoursOut(Schema):
    year: int
    unit: UnitHoursOut
    people: list[PersonHoursOut]


def _staff(usernames: list[str], field: str) -> list[User]:
    found = {u.username: u for u in access.staff_choices().filter(username__in=usernames)}
    unknown = [name for name in dict.fromkeys(usernames) if name not in found]
    if unknown:
        raise invalid(
            "body",
            field,
            _("No active staff member has the user name: %(names)s.")
            % {"names": ", ".join(unknown)},
        )
    return [found[name] for name in dict.fromkeys(usernames)]


def _session_out(found: Session) -> dict:
    return {
        "id": found.pk,
        "kind": found.kind,
        "date": found.date,
        "topic": found.topic,
        "speaker": found.speaker,
        "hours": found.hours,
        "unit": code_name(found.unit),
        "place": found.place,
        "attendees": [person(a.person) for a in found.attendances.select_related("person")],
    }


def _assignment_out(found: StudyAssignment) -> dict:
    return {
        "id": found.pk,
        "title": found.title,
        "source": found.source,
        "assigned_on": found.assigned_on,
        "due_on": found.due_on,
        "hours": found.hours,
        "unit": code_name(found.unit),
        "readers": [
            {"person": person(r.person), "finished_on": r.finished_on, "reflection": r.reflection}
            for r in found.records.select_related("person")
        ],
    }


def _contest_out(found: Contest) -> dict:
    return {
        "id": found.pk,
        "title": found.title,
        "date": found.date,
        "hours": found.hours,
        "max_score": found.max_score,
        "unit": code_name(found.unit),
        "ranking": [
            {"rank": row.rank, "person": person(row.entry.person), "score": row.entry.score}
            for row in services.ranking(found)
        ],
    }


def _year(query: YearQuery) -> tuple[date, date]:
    return figures.year_bounds(query.year or timezone.localdate().year)


def _user(request: HttpRequest) -> User:
    forbid_unless(access.can_use_training(request.auth))
    return request.auth


# --- Lectures and seminars -----------------------------------------------------------------


@router.get("/sessions", response=reads(list[SessionOut]), summary="Lectures and seminars")
def list_sessions(request: HttpRequest, query: Query[YearQuery]) -> list[dict]:
    _user(request)
    first, stop = _year(query)
    rows = Session.objects.filter(date__gte=first, date__lt=stop).select_related("unit")
    return [_session_out(s) for s in rows]


@router.post("/sessions", response=writes(SessionOut, 201), summary="Add a lecture or seminar")
def create_session(request: HttpRequest, payload: SessionIn) -> Status:
    user = _user(request)
    forbid_unless(access.can_organise(user))
    data = payload.dict() | {"unit": unit_by_code("body", "unit", payload.unit)}
    return Status(201, _session_out(Session.objects.create(created_by=user, **data)))


@router.get("/sessions/{session_id}", response=reads(SessionOut), summary="A session")
def get_session(request: HttpRequest, session_id: int) -> dict:
    return _session_out(access.get_session_for_user(_user(request), session_id))


@router.post(
    "/sessions/{session_id}/attendees",
    response=writes(AddedOut),
    summary="Record attendees by user name (all or none)",
)
def add_attendees(request: HttpRequest, session_id: int, payload: PeopleIn) -> dict:
    user = _user(request)
    found = access.get_session_for_user(user, session_id)
    forbid_unless(access.can_organise(user))
    people = _staff(payload.usernames, "usernames")
    added, already = services.attendance_add(session=found, people=people, actor=user)
    return {"added": added, "already": already}


@router.post(
    "/sessions/{session_id}/attendance-import",
    response={**writes(AddedOut), 422: ImportErrorOut},
    summary="Import a sign-in sheet (XLSX): every row, or none; errors name the row",
)
def import_session_attendance(
    request: HttpRequest, session_id: int, file: File[UploadedFile]
) -> Any:
    user = _user(request)
    found = access.get_session_for_user(user, session_id)
    forbid_unless(access.can_organise(user))
    try:
        result = attendance_import.import_attendance(session=found, content=file.read(), actor=user)
    except services.TrainingError as error:
        return Status(422, import_errors([str(error)], None))
    if result.errors:
        return Status(422, import_errors(result.errors, None))
    return {"added": result.added, "already": result.already}


# --- Study assignments ---------------------------------------------------------------------


@router.get("/readings", response=reads(list[AssignmentOut]), summary="Study assignments")
def list_readings(request: HttpRequest, query: Query[YearQuery]) -> list[dict]:
    _user(request)
    first, stop = _year(query)
    rows = StudyAssignment.objects.filter(assigned_on__gte=first, assigned_on__lt=stop)
    return [_assignment_out(a) for a in rows.select_related("unit")]


@router.post("/readings", response=writes(AssignmentOut, 201), summary="Assign a book or document")
def create_reading(request: HttpRequest, payload: AssignmentIn) -> Status:
    user = _user(request)
    forbid_unless(access.can_organise(user))
    if payload.due_on and payload.due_on < payload.assigned_on:
        raise invalid(
            "body", "due_on", _("The date to read it by cannot be before it is assigned.")
        )
    data = payload.dict() | {"unit": unit_by_code("body", "unit", payload.unit)}
    created = StudyAssignment.objects.create(created_by=user, **data)
    return Status(201, _assignment_out(created))


@router.post(
    "/readings/{reading_id}/read",
    response=writes(AssignmentOut),
    summary="Record that I read it, with a short reflection",
)
def record_reading(request: HttpRequest, reading_id: int, payload: StudyIn) -> dict:
    user = _user(request)
    found = access.get_assignment_for_user(user, reading_id)
    try:
        services.study_record(
            assignment=found,
            person=user,
            reflection=payload.reflection,
            finished_on=payload.finished_on,
        )
    except services.TrainingError as error:
        if error.field:
            raise invalid("body", error.field, str(error)) from None
        raise conflict(str(error)) from None
    return _assignment_out(found)


# --- Skills contests -----------------------------------------------------------------------


@router.get("/contests", response=reads(list[ContestOut]), summary="Skills contests")
def list_contests(request: HttpRequest, query: Query[YearQuery]) -> list[dict]:
    _user(request)
    first, stop = _year(query)
    rows = Contest.objects.filter(date__gte=first, date__lt=stop).select_related("unit")
    return [_contest_out(c) for c in rows]


@router.post("/contests", response=writes(ContestOut, 201), summary="Add a skills contest")
def create_contest(request: HttpRequest, payload: ContestIn) -> Status:
    user = _user(request)
    forbid_unless(access.can_organise(user))
    data = payload.dict() | {"unit": unit_by_code("body", "unit", payload.unit)}
    return Status(201, _contest_out(Contest.objects.create(created_by=user, **data)))


@router.get("/contests/{contest_id}", response=reads(ContestOut), summary="A contest's ranking")
def get_contest(request: HttpRequest, contest_id: int) -> dict:
    return _contest_out(access.get_contest_for_user(_user(request), contest_id))


@router.post(
    "/contests/{contest_id}/scores",
    response=writes(ContestOut),
    summary="Record or correct a contestant's score",
)
def record_score(request: HttpRequest, contest_id: int, payload: ScoreIn) -> dict:
    user = _user(request)
    found = access.get_contest_for_user(user, contest_id)
    forbid_unless(access.can_organise(user))
    (contestant,) = _staff([payload.username], "username")
    try:
        services.contest_score(contest=found, person=contestant, score=payload.score)
    except services.TrainingError as error:
        raise invalid("body", "score", str(error)) from None
    return _contest_out(found)


# --- Hours ---------------------------------------------------------------------------------


@router.get(
    "/hours/{unit_code}",
    response=reads(HoursOut),
    summary="A unit's training hours for a year, and each of its staff's",
)
def get_hours(request: HttpRequest, unit_code: str, query: Query[YearQuery]) -> dict:
    user = _user(request)
    unit = access.get_hour_unit_for_user(user, unit_code)
    first, stop = _year(query)
    found = figures.unit_figures(unit, first, stop)
    return {
        "year": first.year,
        "unit": {
            "unit": code_name(unit),
            "hours": found.hours,
            "people": found.people,
            "staff": found.staff,
            "per_person": found.per_person,
        },
        "people": [
            {
                "person": person(row.person),
                "lectures": row.hours[figures.LECTURES],
                "study": row.hours[figures.STUDY],
                "contests": row.hours[figures.CONTESTS],
                "total": row.total,
            }
            for row in figures.person_hours(figures.staff_of(unit), first, stop)
        ],
    }
