"""百姓评 for staff: issue a rating link for a visit, read the ratings, rectifications and
appeals, appeal a rating and decide an appeal. Who sees what is ratings.access: district-wide
roles every window, handlers the windows of their unit's subtree."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import Page, PersonOut, code_name, forbid_unless, person, reads, writes
from civicdesk.api.errors import ApiError, invalid
from civicdesk.api.schemas import CodeNameOut, Text
from civicdesk.ratings import access
from civicdesk.ratings.forms import window_staff
from civicdesk.ratings.models import AppealStatus, EventAction, Level, Rating, RatingInvitation
from civicdesk.ratings.qr import absolute_url
from civicdesk.ratings.services import (
    RatingError,
    invitation_create,
    rating_appeal,
    rating_decide_appeal,
)

router = Router(tags=["ratings"], auth=staff_token)

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Decision(StrEnum):
    UPHOLD = "uphold"
    REJECT = "reject"


# --- Shapes --------------------------------------------------------------------------------


class WindowOut(Schema):
    code: str
    name: str
    kind: str
    parent: CodeNameOut | None
    walk_in_url: str = Field(..., description="The QR code's link for walk-ins.")


class RatingOut(Schema):
    id: int
    window: CodeNameOut
    staff: PersonOut | None
    level: int = Field(..., ge=1, le=5, description="5 very satisfied … 1 very dissatisfied.")
    level_label: str
    reasons: list[str]
    comment: str
    created_at: datetime
    bad: bool
    case: str | None = Field(..., description="Tracking code of the rectification case.")
    case_status: str | None
    due_at: datetime | None
    overdue: bool
    rerating_of: int | None = Field(..., description="The rating this one replaces.")
    appeal_status: str
    appeal_reason: str
    excluded: bool
    excluded_reason: str


class RatingEventOut(Schema):
    action: EventAction
    label: str
    actor: PersonOut | None
    note: str
    created_at: datetime


class RatingDetailOut(RatingOut):
    service_name: str
    events: list[RatingEventOut]
    may_appeal: bool
    may_decide: bool


class RatingFilters(Schema):
    window: str | None = Field(None, description="Window code.")
    bad: bool | None = Field(None, description="Only the bottom two levels.")
    appeal_status: AppealStatus | None = None


class InvitationIn(Schema):
    staff: int | None = Field(None, description="Id of a staff member of the window.")
    service_name: Text = Field("", max_length=200)


class InvitationOut(Schema):
    id: int
    window: CodeNameOut
    staff: PersonOut | None
    service_name: str
    source: str
    rate_url: str = Field(..., description="The one-time link for the citizen (QR code).")
    created_by: PersonOut | None
    created_at: datetime
    used_at: datetime | None


class AppealIn(Schema):
    reason: Reason


class DecisionIn(Schema):
    decision: Decision
    reason: Reason


# --- Output --------------------------------------------------------------------------------


def rating_out(rating: Rating) -> dict:
    case = rating.case
    return {
        "id": rating.pk,
        "window": code_name(rating.window),
        "staff": person(rating.staff),
        "level": rating.level,
        "level_label": str(Level(rating.level).label),
        "reasons": list(rating.reasons),
        "comment": rating.comment,
        "created_at": rating.created_at,
        "bad": rating.is_bad,
        "case": case.tracking_code if case else None,
        "case_status": case.status if case else None,
        "due_at": rating.due_at,
        "overdue": rating.is_overdue,
        "rerating_of": rating.previous_id,
        "appeal_status": rating.appeal_status,
        "appeal_reason": rating.appeal_reason,
        "excluded": rating.excluded,
        "excluded_reason": rating.excluded_reason,
    }


def _rating_detail(rating: Rating, user: User) -> dict:
    rating = access.get_rating_for_user(user, rating.pk)
    events = rating.invitation.events.select_related("actor")
    return rating_out(rating) | {
        "service_name": rating.invitation.service_name,
        "events": [
            {
                "action": event.action,
                "label": str(EventAction(event.action).label),
                "actor": person(event.actor),
                "note": event.note,
                "created_at": event.created_at,
            }
            for event in events
        ],
        "may_appeal": access.may_appeal(user, rating) and rating.appeal_status == AppealStatus.NONE,
        "may_decide": access.may_decide_appeals(user)
        and rating.appeal_status == AppealStatus.PENDING,
    }


def _invitation_out(request: HttpRequest, invitation: RatingInvitation) -> dict:
    path = reverse("ratings:rate", kwargs={"token": invitation.token})
    return {
        "id": invitation.pk,
        "window": code_name(invitation.window),
        "staff": person(invitation.staff),
        "service_name": invitation.service_name,
        "source": invitation.source,
        "rate_url": absolute_url(request, path),
        "created_by": person(invitation.created_by),
        "created_at": invitation.created_at,
        "used_at": invitation.used_at,
    }


def _reader(user: User) -> None:
    forbid_unless(access.may_see_ratings(user))


# --- Windows and invitations ---------------------------------------------------------------


@router.get("/windows", response=reads(list[WindowOut]), summary="Windows the caller sees")
def list_windows(request: HttpRequest) -> list[dict]:
    _reader(request.auth)
    windows = access.windows_visible_to(request.auth).select_related("parent")
    return [
        {
            "code": window.code,
            "name": window.name,
            "kind": window.kind,
            "parent": code_name(window.parent),
            "walk_in_url": absolute_url(
                request, reverse("ratings:window_link", kwargs={"code": window.code})
            ),
        }
        for window in windows
    ]


@router.post(
    "/windows/{code}/invitations",
    response=writes(InvitationOut, 201),
    summary="Issue a one-time rating link for one visit",
)
def create_invitation(request: HttpRequest, code: str, payload: InvitationIn) -> Status[dict]:
    user: User = request.auth
    _reader(user)
    window = access.get_window_for_user(user, code)
    forbid_unless(access.may_issue(user, window))
    staff = None
    if payload.staff is not None:
        staff = window_staff(window).filter(pk=payload.staff).first()
        if staff is None:
            raise invalid("body", "staff", _("That staff member does not work at this window."))
    try:
        invitation = invitation_create(
            window=window, actor=user, staff=staff, service_name=payload.service_name
        )
    except RatingError as error:
        raise ApiError(409, str(error)) from None
    return Status(201, _invitation_out(request, invitation))


@router.get(
    "/invitations/{invitation_id}",
    response=reads(InvitationOut),
    summary="A rating link and whether it was used",
)
def get_invitation(request: HttpRequest, invitation_id: int) -> dict:
    _reader(request.auth)
    return _invitation_out(request, access.get_invitation_for_user(request.auth, invitation_id))


# --- Ratings -------------------------------------------------------------------------------


@router.get("", response=reads(list[RatingOut]), summary="Ratings, newest first")
@paginate(Page, serialize=rating_out)
def list_ratings(request: HttpRequest, filters: Query[RatingFilters]) -> Any:
    _reader(request.auth)
    ratings = access.ratings_visible_to(request.auth)
    if filters.window:
        ratings = ratings.filter(window__code=filters.window)
    if filters.bad:
        ratings = ratings.bad()
    if filters.appeal_status is not None:
        ratings = ratings.filter(appeal_status=filters.appeal_status)
    return ratings


@router.get(
    "/rectifications",
    response=reads(list[RatingOut]),
    summary="Bad ratings whose rectification case is still open, soonest due first",
)
@paginate(Page, serialize=rating_out)
def list_rectifications(request: HttpRequest, overdue: bool = True) -> Any:
    _reader(request.auth)
    ratings = access.ratings_visible_to(request.auth).rectification_open().order_by("due_at", "id")
    return ratings.overdue() if overdue else ratings


@router.get("/appeals", response=reads(list[RatingOut]), summary="Appeals waiting for a decision")
@paginate(Page, serialize=rating_out)
def list_appeals(request: HttpRequest) -> Any:
    _reader(request.auth)
    forbid_unless(access.may_decide_appeals(request.auth))
    return (
        access.ratings_visible_to(request.auth)
        .filter(appeal_status=AppealStatus.PENDING)
        .order_by("created_at")
    )


@router.get("/{rating_id}", response=reads(RatingDetailOut), summary="A rating and its history")
def get_rating(request: HttpRequest, rating_id: int) -> dict:
    _reader(request.auth)
    return _rating_detail(access.get_rating_for_user(request.auth, rating_id), request.auth)


@router.post(
    "/{rating_id}/appeal",
    response=writes(RatingDetailOut),
    summary="Appeal a malicious or mistaken rating (the window's unit)",
)
def appeal_rating(request: HttpRequest, rating_id: int, payload: AppealIn) -> dict:
    user: User = request.auth
    _reader(user)
    rating = access.get_rating_for_user(user, rating_id)
    forbid_unless(access.may_appeal(user, rating))
    try:
        rating_appeal(rating=rating, actor=user, reason=payload.reason)
    except RatingError as error:
        raise ApiError(409, str(error)) from None
    return _rating_detail(rating, user)


@router.post(
    "/{rating_id}/decision",
    response=writes(RatingDetailOut),
    summary="Decide an appeal: uphold (the rating no longer counts) or reject",
)
def decide_appeal(request: HttpRequest, rating_id: int, payload: DecisionIn) -> dict:
    user: User = request.auth
    _reader(user)
    rating = access.get_rating_for_user(user, rating_id)
    forbid_unless(access.may_decide_appeals(user))
    try:
        rating_decide_appeal(
            rating=rating,
            actor=user,
            uphold=payload.decision == Decision.UPHOLD,
            reason=payload.reason,
        )
    except RatingError as error:
        raise ApiError(409, str(error)) from None
    return _rating_detail(rating, user)
