"""The integrity signals in the API (under /api/v1/integrity), for discipline inspectors only:
anyone else gets a 404, as on the pages, and every call is logged like a page view."""

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from civicdesk.api.auth import staff_token
from civicdesk.api.common import reads
from civicdesk.integrity.access import may_read_signals
from civicdesk.integrity.models import Signal
from civicdesk.integrity.services import read_signal

router = Router(tags=["integrity"], auth=staff_token)

CAUTION = (
    "A signal, not a finding: a pattern worth a closer look, never proof of wrongdoing by anyone."
)


class SignalStuckOut(Schema):
    tracking_code: str
    matter: str
    step: str
    unit: str
    official: str
    taken_at: dt.datetime
    seconds_at_desk: int
    step_median_seconds: int
    times_median: float


class SignalAgentOut(Schema):
    kind: str = Field(..., description="agent: an agent's phone; contact: a contact phone.")
    phone: str
    names: list[str]
    applicants: int
    applications: int
    matters: int
    first: dt.datetime
    last: dt.datetime


class SignalRefusalOut(Schema):
    material: str
    unit: str
    refused: int
    accepted: int
    accepted_elsewhere: int
    refused_elsewhere: int
    refused_most_by: list[str]


def _rows(request: HttpRequest, signal: str) -> list:
    if not may_read_signals(request.auth):
        raise Http404
    return read_signal(user=request.auth, signal=signal, via="api")


@router.get(
    "/stuck",
    response=reads(list[SignalStuckOut]),
    summary="Applications far beyond the step's median at one official's desk (a signal)",
    description=CAUTION,
)
def stuck_applications(request: HttpRequest) -> list[dict]:
    return [
        {
            "tracking_code": row.application.tracking_code,
            "matter": row.application.item.name,
            "step": row.step.label,
            "unit": row.step.unit.code,
            "official": str(row.holder),
            "taken_at": row.taken_at,
            "seconds_at_desk": row.seconds_at_desk,
            "step_median_seconds": row.step_median,
            "times_median": round(row.times_median, 2),
        }
        for row in _rows(request, Signal.STUCK)
    ]


@router.get(
    "/agents",
    response=reads(list[SignalAgentOut]),
    summary="One agent or phone number across many applicants (a signal)",
    description=CAUTION,
)
def agent_phones(request: HttpRequest) -> list[dict]:
    return [row.__dict__ for row in _rows(request, Signal.AGENTS)]


@router.get(
    "/refusals",
    response=reads(list[SignalRefusalOut]),
    summary="A material refused here that other offices accept (a signal)",
    description=CAUTION,
)
def material_refusals(request: HttpRequest) -> list[dict]:
    return [
        {
            "material": row.material,
            "unit": row.unit.code,
            "refused": row.refused,
            "accepted": row.accepted,
            "accepted_elsewhere": row.accepted_elsewhere,
            "refused_elsewhere": row.refused_elsewhere,
            "refused_most_by": row.refusers,
        }
        for row in _rows(request, Signal.REFUSALS)
    ]
