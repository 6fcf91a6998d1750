"""Staff work on cases: the inbox, a case with its timeline, and the workflow actions."""

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from civicdesk.accounts.models import Unit, User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import MAX_OFFSET, category_by_code, forbid_unless, reads, writes
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import (
    AssignIn,
    CaseDetailOut,
    CaseFilters,
    CaseListItemOut,
    CaseTriageOut,
    InternalNoteIn,
    MergeIn,
    NoteIn,
    RecategorizeIn,
    ReopenIn,
    ReplyIn,
    ReplyTemplateOut,
    ReturnIn,
    SimilarCaseOut,
)
from civicdesk.api.workorder_output import work_order
from civicdesk.cases.access import get_case_for_user
from civicdesk.cases.actions import available_actions
from civicdesk.cases.models import Case, CaseEvent, Category, ReplyTemplate, ReturnReason
from civicdesk.cases.services import (
    CaseActionError,
    CaseInputError,
    case_accept,
    case_add_note,
    case_answer,
    case_assign,
    case_close,
    case_escalate,
    case_merge,
    case_recategorize,
    case_reopen,
    case_return,
)
from civicdesk.cases.workflow import (
    NON_TRANSITIONS,
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    Status,
)
from civicdesk.core.tracking import normalize_tracking_code
from civicdesk.intake import in_person
from civicdesk.intake.models import Channel
from civicdesk.problems.services import case_text, similar_open_cases
from civicdesk.problems.suggestions import suggest_categories, suggest_unit

router = Router(tags=["cases"], auth=staff_token)

_WRITE_RESPONSES = writes(CaseDetailOut)


# --- Output --------------------------------------------------------------------------------


def _code_name(obj: Unit | Category | None) -> dict | None:
    return None if obj is None else {"code": obj.code, "name": obj.name}


def case_list_item(case: Case) -> dict:
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "unit": _code_name(case.unit),
        "category": _code_name(case.category),
        "channel": case.submission.channel.code,
        "description": case.submission.description[:200],
        "address": case.submission.address,
        "received_at": case.received_at,
        "due_at": case.stage_due_at(),
        "overdue": case.is_overdue(),
        "escalated": case.escalated_at is not None,
    }


def _actor(event: CaseEvent) -> str:
    if event.actor is not None:
        return str(event.actor)
    return event.actor_kind


def _detail(case: Case, user: User) -> dict:
    submission = case.submission
    events = case.events.select_related("actor", "unit")
    return case_list_item(case) | {
        "submission": {
            "channel": submission.channel.code,
            "description": submission.description,
            "address": submission.address,
            "latitude": submission.latitude,
            "longitude": submission.longitude,
            "contact_name": submission.contact_name,
            "contact_phone": submission.contact_phone,
            "contact_email": submission.contact_email,
            "consent_contact": submission.consent_contact,
            "for_enterprise": submission.for_enterprise,
            "enterprise_name": submission.enterprise_name,
            "enterprise_credit_code": submission.enterprise_credit_code,
            "consent_publish": submission.consent_publish,
            "language": submission.language,
            "photos": [
                {
                    "url": photo.image.url,
                    "thumbnail_url": photo.thumbnail.url,
                    "width": photo.width,
                    "height": photo.height,
                }
                for photo in submission.photos.all()
            ],
        },
        "answer": case.answer,
        "assigned_at": case.assigned_at,
        "first_responded_at": case.first_responded_at,
        "answered_at": case.answered_at,
        "closed_at": case.closed_at,
        "assign_due_at": case.assign_due_at,
        "response_due_at": case.response_due_at,
        "answer_due_at": case.answer_due_at,
        "merged_into": case.merged_into.tracking_code if case.merged_into else None,
        "reopen_count": case.reopen_count,
        "allowed_actions": available_actions(case, user),
        "work_order": work_order(case),
        "timeline": [
            {
                "id": event.pk,
                "action": event.action,
                "label": str(Action(event.action).label),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor": _actor(event),
                "unit": event.unit.code if event.unit else None,
                "note": event.note,
                "is_public": event.is_public,
                "created_at": event.created_at,
            }
            for event in events
        ],
    }


class CasePageInput(Schema):
    # Its own name: ninja's components are keyed by class name, and Page.Input is "Input".
    limit: int = Field(20, ge=1, le=100, description="Cases per page, at most 100.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")


class CasePagination(LimitOffsetPagination):
    Input = CasePageInput

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        # Serialise only the page that was sliced out, with the same shape as the detail.
        page["items"] = [case_list_item(case) for case in page["items"]]
        return page


# --- Helpers -------------------------------------------------------------------------------


def _require_role(user: User, action: str) -> None:
    """Refuse with 403 what the caller's role may never do, before touching the case.

    The services check the same workflow table; checking here too lets a read-only role
    (leaders) get "forbidden" rather than the 409 kept for "not now, in this status".
    """
    actors = TRANSITIONS[action].actors if action in TRANSITIONS else NON_TRANSITIONS[action]
    if user.role not in actors:
        raise ApiError(403, _("Your role may not do this."))


def _act(service: Callable[..., Any], **kwargs: Any) -> None:
    try:
        service(**kwargs)
    except CaseInputError as error:
        raise invalid("body", error.field or "body", str(error)) from None
    except CaseActionError as error:
        raise ApiError(409, str(error)) from None


def reload_case(case_id: int, user: User) -> dict:
    """The case as the action left it.

    Not through get_case_for_user: an action may take the case out of the caller's reach
    (a handler returning it), and answering 404 to a write that succeeded would invite a
    retry. The caller could see the case a moment ago, so showing its new state leaks nothing.
    """
    case = Case.objects.select_related(
        "submission", "submission__channel", "unit", "category", "merged_into"
    ).get(pk=case_id)
    return _detail(case, user)


# --- Reading -------------------------------------------------------------------------------


@router.get("", response=reads(list[CaseListItemOut]), summary="Cases the caller may see")
@paginate(CasePagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    user: User = request.auth
    cases = Case.objects.visible_to(user).select_related(
        "unit", "category", "submission", "submission__channel"
    )
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.open is True:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.open is False:
        cases = cases.exclude(status__in=OPEN_STATUSES)
    if filters.unit:
        unit = Unit.objects.filter(code=filters.unit).first()
        if unit is None:
            raise invalid(
                "query", "unit", _("There is no unit “%(code)s”.") % {"code": filters.unit}
            )
        cases = cases.for_unit_subtree(unit)
    if filters.channel:
        if not Channel.objects.filter(code=filters.channel).exists():
            raise invalid(
                "query", "channel", _("There is no channel “%(code)s”.") % {"code": filters.channel}
            )
        cases = cases.filter(submission__channel__code=filters.channel)
    if filters.category:
        if not Category.objects.filter(code=filters.category).exists():
            raise invalid(
                "query",
                "category",
                _("There is no category “%(code)s”.") % {"code": filters.category},
            )
        cases = cases.filter(
            Q(category__code=filters.category) | Q(category__parent__code=filters.category)
        )
    if filters.overdue is True:
        cases = cases.overdue()
    elif filters.overdue is False:
        cases = cases.exclude(pk__in=Case.objects.overdue().values("pk"))
    if filters.q:
        cases = cases.search(filters.q)
    if filters.received_after:
        cases = cases.filter(received_at__date__gte=filters.received_after)
    if filters.received_before:
        cases = cases.filter(received_at__date__lte=filters.received_before)
    return cases


class SameProblemQuery(Schema):
    description: str = Field(
        ..., min_length=1, max_length=5000, description="What the person said, as typed so far."
    )
    address: str = Field("", max_length=500, description="Where, if said.")


# Before "/{case_id}", whose pattern would otherwise take this path.
@router.get(
    "/same-problem",
    response=reads(list[SimilarCaseOut]),
    summary="Open cases that may report the same problem as an opinion being recorded",
)
def same_problem_cases(request: HttpRequest, query: Query[SameProblemQuery]) -> list[dict]:
    """For staff recording an opinion heard in person: best first, among the cases the caller
    may see, so that a duplicate can be linked instead of filed again."""
    user: User = request.auth
    forbid_unless(in_person.can_record(user))
    text = "\n".join(part for part in (query.description.strip(), query.address.strip()) if part)
    similar = similar_open_cases(text, user=user)
    return [case_list_item(other) | {"score": score} for other, score in similar]


@router.get(
    "/{case_id}",
    response=reads(CaseDetailOut),
    summary="One case with its full timeline",
)
def get_case(request: HttpRequest, case_id: int) -> dict:
    return _detail(get_case_for_user(request.auth, case_id), request.auth)


# --- Actions -------------------------------------------------------------------------------


@router.post("/{case_id}/assign", response=_WRITE_RESPONSES, summary="Route to a unit")
def assign_case(request: HttpRequest, case_id: int, payload: AssignIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    reassign = case.status in TRANSITIONS[Action.REASSIGN].sources
    _require_role(user, Action.REASSIGN if reassign else Action.ASSIGN)
    unit = Unit.objects.filter(code=payload.unit).first()
    if unit is None:
        raise invalid("body", "unit", _("There is no unit “%(code)s”.") % {"code": payload.unit})
    _act(case_assign, case=case, unit=unit, actor=user, note=payload.note)
    return reload_case(case.pk, user)


@router.post("/{case_id}/accept", response=_WRITE_RESPONSES, summary="Take the case on")
def accept_case(request: HttpRequest, case_id: int, payload: NoteIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.ACCEPT)
    _act(case_accept, case=case, actor=user, note=payload.note)
    return reload_case(case.pk, user)


@router.post("/{case_id}/return", response=_WRITE_RESPONSES, summary="Send back: not for this unit")
def return_case(request: HttpRequest, case_id: int, payload: ReturnIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.RETURN)
    choice = None
    if payload.reason_code:
        choice = ReturnReason.objects.filter(code=payload.reason_code, is_active=True).first()
        if choice is None:
            raise invalid(
                "body",
                "reason_code",
                _("There is no return reason “%(code)s”.") % {"code": payload.reason_code},
            )
    _act(case_return, case=case, actor=user, reason=payload.reason, reason_choice=choice)
    return reload_case(case.pk, user)


@router.post("/{case_id}/reply", response=_WRITE_RESPONSES, summary="Give the official answer")
def answer_case(request: HttpRequest, case_id: int, payload: ReplyIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.ANSWER)
    _act(case_answer, case=case, actor=user, text=payload.text)
    return reload_case(case.pk, user)


@router.post("/{case_id}/note", response=_WRITE_RESPONSES, summary="Add an internal note")
def add_case_note(request: HttpRequest, case_id: int, payload: InternalNoteIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.NOTE)
    _act(case_add_note, case=case, actor=user, text=payload.text)
    return reload_case(case.pk, user)


@router.post("/{case_id}/close", response=_WRITE_RESPONSES, summary="Close an answered case")
def close_case(request: HttpRequest, case_id: int, payload: NoteIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.CLOSE)
    _act(case_close, case=case, actor=user, note=payload.note)
    return reload_case(case.pk, user)


@router.post("/{case_id}/merge", response=_WRITE_RESPONSES, summary="Merge into another case")
def merge_case(request: HttpRequest, case_id: int, payload: MergeIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.MERGE)
    code = normalize_tracking_code(payload.into)
    into = Case.objects.visible_to(user).filter(tracking_code=code).first() if code else None
    if into is None:
        raise invalid("body", "into", _("There is no case “%(code)s”.") % {"code": payload.into})
    _act(case_merge, case=case, into=into, actor=user, note=payload.note)
    return reload_case(case.pk, user)


@router.post("/{case_id}/escalate", response=_WRITE_RESPONSES, summary="Escalate")
def escalate_case(request: HttpRequest, case_id: int, payload: NoteIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.ESCALATE)
    _act(case_escalate, case=case, actor=user, note=payload.note)
    return reload_case(case.pk, user)


@router.post("/{case_id}/reopen", response=_WRITE_RESPONSES, summary="Reopen an answered case")
def reopen_case(request: HttpRequest, case_id: int, payload: ReopenIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.REOPEN)
    _act(case_reopen, case=case, actor=user, reason=payload.reason)
    return reload_case(case.pk, user)


@router.post(
    "/{case_id}/recategorize", response=_WRITE_RESPONSES, summary="Change the case's category"
)
def recategorize_case(request: HttpRequest, case_id: int, payload: RecategorizeIn) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    _require_role(user, Action.RECATEGORIZE)
    category = category_by_code("body", "category", payload.category)
    _act(case_recategorize, case=case, category=category, actor=user)
    return reload_case(case.pk, user)


# --- Help for the answer -------------------------------------------------------------------


@router.get(
    "/{case_id}/reply-templates",
    response=reads(list[ReplyTemplateOut]),
    summary="Answer templates offered for this case",
)
def list_reply_templates(request: HttpRequest, case_id: int) -> list[dict]:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    units = [unit for unit in (case.unit, user.unit) if unit is not None]
    templates = ReplyTemplate.objects.filter(is_active=True).filter(
        Q(unit__isnull=True) | Q(unit__in=units)
    )
    return [{"id": t.pk, "title": t.title, "body": t.body} for t in templates]


@router.get(
    "/{case_id}/triage",
    response=reads(CaseTriageOut),
    summary="Suggested category and unit, and open cases that report the same problem",
)
def case_triage(request: HttpRequest, case_id: int) -> dict:
    user: User = request.auth
    case = get_case_for_user(user, case_id)
    suggestion = suggest_categories(case)
    unit_suggestion = suggest_unit(case)
    similar = similar_open_cases(case_text(case), user=user, exclude=case)
    suggested = None
    if suggestion is not None:
        categories = Category.objects.in_bulk(
            [item["code"] for item in suggestion.top], field_name="code"
        )
        suggested = {
            "category": _code_name(suggestion.category),
            "confidence": suggestion.confidence,
            "needs_review": suggestion.needs_review,
            "words": list(suggestion.words),
            "top": [
                {"category": _code_name(categories[item["code"]]), "confidence": item["confidence"]}
                for item in suggestion.top
                if item["code"] in categories
            ],
        }
    suggested_unit = None
    if unit_suggestion is not None:
        units = Unit.objects.active().in_bulk(
            [item["code"] for item in unit_suggestion.top], field_name="code"
        )
        suggested_unit = {
            "unit": _code_name(unit_suggestion.unit),
            "confidence": unit_suggestion.confidence,
            "needs_review": unit_suggestion.needs_review,
            "top": [
                {"unit": _code_name(units[item["code"]]), "confidence": item["confidence"]}
                for item in unit_suggestion.top
                if item["code"] in units
            ],
        }
    return {
        "suggestion": suggested,
        "unit_suggestion": suggested_unit,
        "similar": [case_list_item(other) | {"score": score} for other, score in similar],
    }
