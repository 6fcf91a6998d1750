"""Which submissions are allegations for the confidential ledgers instead of ordinary cases.

An allegation of inaction and misconduct (不作为乱作为) or of collusion with black
intermediaries (黑中介) must not become an ordinary case: a case is routed to a unit and may
be assigned to the very unit it accuses, and everyone on the case's path reads it. It goes to
the confidential reports instead (civicdesk.reports), whose audiences are fixed: supervisors
for misconduct, discipline inspectors for intermediaries, every view logged.

This module is the one place that decides, for every channel (the web form, the API,
Open311, opinions recorded by staff, imports, questionnaires), through
``civicdesk.intake.services.receive``:

- a category chosen for the submission decides: one of the ledgers' categories
  (reports.workflow.CATEGORY_LEDGERS, or a category under one) is an allegation, any other
  category is not;
- without a category, the text decides, on explicit words for the wrongdoing only
  (civicdesk.triage.allegations: 吃拿卡要, 收受红包, 不找中介办不成 …), never a vague
  complaint such as 物业不作为.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError
from django.utils.translation import gettext as _

from civicdesk.cases.models import Category
from civicdesk.reports.models import Report, Source
from civicdesk.reports.services import DuplicateSubmission, NewReport, report_file
from civicdesk.reports.workflow import CATEGORY_LEDGERS, Ledger
from civicdesk.triage.allegations import Allegation, read_allegation

_LEDGER_OF_ALLEGATION = {
    Allegation.MISCONDUCT: Ledger.INACTION,
    Allegation.INTERMEDIARY: Ledger.INTERMEDIARY,
}
# Idempotency keys become report form tokens in their own namespace.
_TOKEN_NAMESPACE = uuid.UUID("5d2c1b0e-7f0a-4c55-9d43-2f0e6c1a8b21")


@dataclass(frozen=True)
class Routing:
    """Where a submission goes instead of a case, and why (for tests and logs)."""

    ledger: str
    reason: str


def confidential_routing(*, category: Category | None, description: str) -> Routing | None:
    """The ledger this submission belongs to, or None for an ordinary case."""
    if category is not None:
        codes = {category.code}
        if category.parent_id is not None:
            codes |= set(
                Category.objects.filter(pk=category.parent_id).values_list("code", flat=True)
            )
        for code in sorted(codes & CATEGORY_LEDGERS.keys()):
            return Routing(CATEGORY_LEDGERS[code], f"category:{code}")
        return None
    kind, words = read_allegation(description)
    if kind is None:
        return None
    return Routing(_LEDGER_OF_ALLEGATION[kind], f"text:{words}")


def report_from(data, *, photos_dropped: int = 0) -> NewReport:
    """The confidential report of a submission (``NewSubmission``): its text, place and
    contact details; contact details are left out when the person asked not to be
    contacted, and what the report has no field for is added to its text."""
    description = data.description.strip()
    extra = []
    if data.for_enterprise and (data.enterprise_name or data.enterprise_credit_code):
        extra.append(
            _("Enterprise: %(name)s %(code)s")
            % {"name": data.enterprise_name.strip(), "code": data.enterprise_credit_code.strip()}
        )
    if photos_dropped:
        extra.append(
            _(
                "%(count)d photos were sent with it; confidential reports keep no photos, "
                "so ask the reporter for them if they are needed."
            )
            % {"count": photos_dropped}
        )
    if extra:
        description = "\n\n".join([description, *extra])
    contact = data.consent_contact
    return NewReport(
        description=description,
        place=data.address.strip()[:300],
        contact_name=data.contact_name.strip() if contact else "",
        contact_phone=data.contact_phone.strip() if contact else "",
        contact_email=data.contact_email.strip() if contact else "",
    )


def file_confidential(
    data, routing: Routing, *, idempotency_key: str = "", source: str | None = None
) -> tuple[Report, str | None, bool]:
    """File the report for a routed submission: (report, follow-up code or None, created).

    A message the channel already sent (same external id) or a retry with the same
    idempotency key files nothing again and returns the first report, without its
    follow-up code, which only the first answer could show.
    """
    channel = data.channel.code
    if data.external_id:
        earlier = Report.objects.filter(channel=channel, external_id=data.external_id).first()
        if earlier is not None:
            return earlier, None, False
    if source is None:
        source = Source.STAFF if data.recorded_by is not None else Source.PUBLIC
    token = (
        uuid.uuid5(_TOKEN_NAMESPACE, f"{channel}:{idempotency_key}") if idempotency_key else None
    )
    try:
        report, code = report_file(
            ledger=routing.ledger,
            data=report_from(data, photos_dropped=len(data.photos)),
            filed_by=data.recorded_by,
            form_token=token,
            source=source,
            channel=channel,
            external_id=data.external_id,
            received_at=data.received_at,
        )
    except DuplicateSubmission as duplicate:
        return duplicate.report, None, False
    except IntegrityError:
        # The same message of the channel was filed by a concurrent request: that one stands.
        earlier = Report.objects.filter(channel=channel, external_id=data.external_id).first()
        if not data.external_id or earlier is None:
            raise
        return earlier, None, False
    return report, code, True


def known_confidential(channel, external_ids: list[str]) -> set[str]:
    """Which of these messages of the channel were already filed as confidential reports."""
    return set(
        Report.objects.filter(channel=channel.code, external_id__in=external_ids).values_list(
            "external_id", flat=True
        )
    )
