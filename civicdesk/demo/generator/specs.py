"""The plan of one demo submission and the service calls that will follow it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass
class Step:
    """One planned service call; ``at`` is the time it will appear to have happened."""

    action: str
    hours: float  # delay after the previous step, before scaling to fit in the past
    actor: str | None
    unit: str | None = None
    text: str = ""
    at: datetime | None = None


@dataclass
class Spec:
    """Everything about one demo submission, drawn before anything is written."""

    channel: str
    received_at: datetime
    kind: str  # place, service, window, praise, enterprise
    category: str
    unit: str
    summary: str
    description: str
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = ""
    contact_phone: str = ""
    for_enterprise: bool = False
    enterprise_name: str = ""
    enterprise_credit_code: str = ""
    consent_publish: bool = False
    source_details: dict = field(default_factory=dict)
    recorded_by: str | None = None
    external_id: str = ""
    status: str = ""
    merge_into: int | None = None
    # The truth the opinion was generated from: which problem it reports (the same key for
    # every opinion about one grievance at one place or window) and that problem's name.
    problem: str = ""
    problem_title: str = ""
    steps: list[Step] = field(default_factory=list)
