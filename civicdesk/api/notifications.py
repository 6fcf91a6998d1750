"""The outbox of messages to people, as on the staff page: the list with its filters and
counts per status, and sending a failed message again.

Supervisors and administrators only (notifications.access); everyone else gets a 403 here
(the page answers 404). Addresses are masked as on the page; message texts are not shown.
"""

from datetime import datetime
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from civicdesk.accounts.models import User
from civicdesk.api.auth import staff_token
from civicdesk.api.common import Page, forbid_unless, reads, writes
from civicdesk.api.errors import ApiError
from civicdesk.api.schemas import inline_enum
from civicdesk.notifications import access, services
from civicdesk.notifications.models import Channel, Event, Outbox, Status

router = Router(tags=["notifications"], auth=staff_token)
# Not a shared "Status" component: cases, reports and questionnaires have one too.
OutboxStatus = inline_enum(Status, "OutboxStatus")


# --- Shapes --------------------------------------------------------------------------------


class OutboxFilters(Schema):
    status: OutboxStatus | None = None
    channel: Channel | None = None
    event: Event | None = None


class OutboxMessageOut(Schema):
    id: int
    created_at: datetime
    event: Event
    language: str
    channel: Channel
    recipient: str = Field(..., description="The address, masked as on the page.")
    status: OutboxStatus
    sent_at: datetime | None
    next_attempt_at: datetime | None = Field(
        ..., description="When a waiting message is tried next; null unless pending."
    )
    attempts: int
    last_error: str


class StatusCountOut(Schema):
    status: OutboxStatus
    label: str
    count: int


class OutboxCountsOut(Schema):
    counts: list[StatusCountOut] = Field(..., description="One entry per status, zeros too.")
    total: int


class ResendIn(Schema):
    """Nothing to say: send ``{}``."""


# --- Operations ----------------------------------------------------------------------------


def _outbox_reader(user: User) -> None:
    forbid_unless(access.can_see_outbox(user))


def _filtered(filters: OutboxFilters):
    chosen = {name: value for name, value in filters.dict().items() if value}
    return Outbox.objects.filter(**chosen)


def message_out(row: Outbox) -> dict:
    return {
        "id": row.pk,
        "created_at": row.created_at,
        "event": row.event,
        "language": row.language,
        "channel": row.channel,
        "recipient": row.masked_recipient,
        "status": row.status,
        "sent_at": row.sent_at,
        "next_attempt_at": row.next_attempt_at if row.status == Status.PENDING else None,
        "attempts": row.attempts,
        "last_error": row.last_error,
    }


@router.get(
    "/outbox", response=reads(list[OutboxMessageOut]), summary="Messages to people, newest first"
)
@paginate(Page, serialize=message_out)
def list_outbox(request: HttpRequest, filters: Query[OutboxFilters]) -> Any:
    _outbox_reader(request.auth)
    return _filtered(filters).order_by("-created_at", "-id")


@router.get(
    "/outbox/counts",
    response=reads(OutboxCountsOut),
    summary="How many messages are in each status, with the same filters",
)
def outbox_counts(request: HttpRequest, filters: Query[OutboxFilters]) -> dict:
    _outbox_reader(request.auth)
    counted = dict(_filtered(filters).order_by().values_list("status").annotate(n=Count("id")))
    return {
        "counts": [
            {"status": value, "label": str(label), "count": counted.get(value, 0)}
            for value, label in Status.choices
        ],
        "total": sum(counted.values()),
    }


@router.post(
    "/outbox/{message_id}/resend",
    response=writes(OutboxMessageOut),
    summary="Send a failed message again, with a fresh count of attempts",
)
def resend_message(request: HttpRequest, message_id: int, payload: ResendIn) -> dict:
    user: User = request.auth
    _outbox_reader(user)
    row = get_object_or_404(Outbox, pk=message_id)
    try:
        row = services.outbox_resend(row=row, actor=user)
    except services.NotificationError as error:
        raise ApiError(409, str(error)) from None
    return message_out(row)
