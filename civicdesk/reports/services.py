"""Every change of a confidential report goes through here: checked, atomic, chained."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.reports.codes import followup_digest, new_followup_code
from civicdesk.reports.models import AccessView, Report, ReportAccess, ReportEvent, Source
from civicdesk.reports.workflow import (
    NON_TRANSITIONS,
    NOTE_REQUIRED,
    REPORTER,
    TRANSITIONS,
    Action,
    Ledger,
    Status,
    may_handle,
)


class ReportActionError(Exception):
    """Something the workflow or the actor's role does not allow; the message is translated."""


class DuplicateSubmission(Exception):
    """The same form page was sent twice; ``report`` is the one filed the first time."""

    def __init__(self, report: Report) -> None:
        super().__init__("duplicate submission")
        self.report = report


@dataclass(frozen=True)
class NewReport:
    description: str
    reported_unit: Unit | None = None
    official_name: str = ""
    official_position: str = ""
    setting: str = ""
    intermediary: str = ""
    occurred_on: date | None = None
    place: str = ""
    evidence: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


def _snapshot(report: Report) -> dict:
    return {
        "ledger": report.ledger,
        "reported_unit": report.reported_unit_id,
        "official_name": report.official_name,
        "official_position": report.official_position,
        "setting": report.setting,
        "intermediary": report.intermediary,
        "description": report.description,
        "occurred_on": report.occurred_on.isoformat() if report.occurred_on else None,
        "place": report.place,
        "evidence": report.evidence,
        "source": report.source,
    }


def _record(
    report: Report,
    action: str,
    *,
    actor: User | None,
    from_status: str = "",
    note: str = "",
    is_public: bool = False,
    data: dict | None = None,
) -> ReportEvent:
    return ReportEvent.append(
        chain=report.chain_name,
        report=report,
        action=action,
        from_status=from_status,
        to_status=report.status if from_status or action == Action.CREATE else "",
        actor=actor,
        actor_kind=actor.role if actor is not None else REPORTER,
        note=note,
        is_public=is_public,
        data=data or {},
    )


def report_file(
    *,
    ledger: str,
    data: NewReport,
    filed_by: User | None,
    form_token: uuid.UUID | None = None,
    source: str | None = None,
    channel: str = "",
    external_id: str = "",
    received_at: datetime | None = None,
) -> tuple[Report, str | None]:
    """File a report; returns it with the raw follow-up code (intermediary reports only),
    which exists nowhere else and must be shown to the whistle-blower at once.

    ``source`` defaults to the public form (no ``filed_by``) or staff; a report imported
    from a workbook (``Source.IMPORT``) gets no follow-up code, since nobody could be given it.
    ``channel`` (and the channel's ``external_id``) name the ordinary channel an allegation
    came through before civicdesk.intake.routing sent it here; such a report may leave the
    unit and the setting open, since those forms did not ask for them.
    """
    if source is None:
        source = Source.STAFF if filed_by is not None else Source.PUBLIC
    if source not in Source.values or (source != Source.PUBLIC and filed_by is None):
        raise ReportActionError(_("Unknown source."))
    if ledger not in Ledger.values:
        raise ReportActionError(_("Unknown ledger."))
    if not data.description.strip():
        raise ReportActionError(_("Say what happened."))
    if ledger == Ledger.INACTION and data.reported_unit is None and not channel:
        raise ReportActionError(_("Choose the unit the report is about."))
    if ledger == Ledger.INTERMEDIARY and not data.setting and not channel:
        raise ReportActionError(_("Choose where it happened."))
    if data.occurred_on and data.occurred_on > timezone.localdate():
        raise ReportActionError(_("The date cannot be in the future."))
    if form_token is not None:
        earlier = Report.objects.filter(form_token=form_token).first()
        if earlier is not None:
            raise DuplicateSubmission(earlier)
    with_code = ledger == Ledger.INTERMEDIARY and source != Source.IMPORT
    code = new_followup_code() if with_code else None
    try:
        with transaction.atomic():
            report = Report.objects.create(
                ledger=ledger,
                source=source,
                filed_by=filed_by,
                followup_digest=followup_digest(code) if code else "",
                form_token=form_token,
                channel=channel,
                external_id=external_id,
                received_at=received_at or timezone.now(),
                **{field: getattr(data, field) for field in NewReport.__dataclass_fields__},
            )
            _record(report, Action.CREATE, actor=filed_by, data=_snapshot(report))
    except IntegrityError:
        earlier = Report.objects.filter(form_token=form_token).first() if form_token else None
        if earlier is None:
            raise
        raise DuplicateSubmission(earlier) from None
    return report, code


def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


def _check_actor(report: Report, actor: User) -> None:
    if not (actor.is_active and may_handle(actor.role, report.ledger)):
        raise ReportActionError(_("Your role may not do this."))


@transaction.atomic
def report_transition(*, report: Report, action: str, actor: User, note: str = "") -> Report:
    """Move a report along the workflow (investigate, substantiate, …) with an optional note."""
    if action not in TRANSITIONS:
        raise ReportActionError(_("Unknown action."))
    report = _lock(report)
    _check_actor(report, actor)
    transition = TRANSITIONS[action]
    if report.status not in transition.sources:
        raise ReportActionError(
            _("A report that is “%(status)s” cannot get “%(action)s”.")
            % {"status": Status(report.status).label, "action": Action(action).label}
        )
    note = note.strip()
    if action in NOTE_REQUIRED and not note:
        raise ReportActionError(_("Write down the finding."))
    from_status = report.status
    report.status = transition.target
    report.save(update_fields=["status"])
    _record(report, action, actor=actor, from_status=from_status, note=note)
    return report


def _non_transition(report: Report, action: str, actor: User, text: str, **kwargs) -> ReportEvent:
    report = _lock(report)
    _check_actor(report, actor)
    if report.ledger not in NON_TRANSITIONS[action]:
        raise ReportActionError(_("This is not possible on this kind of report."))
    if report.status == Status.CLOSED:
        raise ReportActionError(_("This report is closed."))
    text = text.strip()
    if not text:
        raise ReportActionError(_("Write something first."))
    return _record(report, action, actor=actor, note=text, **kwargs)


@transaction.atomic
def report_add_note(*, report: Report, actor: User, text: str) -> ReportEvent:
    """An internal note; the whistle-blower never sees it."""
    return _non_transition(report, Action.NOTE, actor, text)


@transaction.atomic
def report_reply(*, report: Report, actor: User, text: str) -> ReportEvent:
    """A non-confidential reply the whistle-blower reads with the follow-up code."""
    return _non_transition(report, Action.REPLY, actor, text, is_public=True)


@transaction.atomic
def report_set_unit(*, report: Report, unit: Unit | None, actor: User, note: str = "") -> Report:
    """Name the unit the report is about, or say it is not known (None).

    Reports routed from the channels (intake.routing) and most intermediary reports come
    without one. The unit decides who may not see the report (reports.access: nobody in the
    unit it accuses), so the handler names it as soon as it is known; the change is on the
    report's chain like every other.
    """
    report = _lock(report)
    _check_actor(report, actor)
    if report.ledger not in NON_TRANSITIONS[Action.SET_UNIT]:
        raise ReportActionError(_("This is not possible on this kind of report."))
    if report.status == Status.CLOSED:
        raise ReportActionError(_("This report is closed."))
    if report.reported_unit_id == (unit.pk if unit else None):
        raise ReportActionError(_("Unit concerned: the report already names this unit."))
    before = report.reported_unit
    report.reported_unit = unit
    report.save(update_fields=["reported_unit"])
    _record(
        report,
        Action.SET_UNIT,
        actor=actor,
        note=note.strip(),
        data={
            "from": before.code if before else "",
            "to": unit.code if unit else "",
            "from_name": before.name if before else "",
            "to_name": unit.name if unit else "",
        },
    )
    return report


@transaction.atomic
def report_supplement(*, report: Report, text: str) -> ReportEvent:
    """More information from the holder of the follow-up code."""
    report = _lock(report)
    if report.status == Status.CLOSED:
        raise ReportActionError(
            _("This report is closed and takes no more information; please send a new one.")
        )
    text = text.strip()
    if not text:
        raise ReportActionError(_("Write something first."))
    return _record(report, Action.SUPPLEMENT, actor=None, note=text)


def report_log_access(*, reports: list[Report], user: User, view: str) -> None:
    """Record that ``user`` saw these reports on this kind of page (one row per report)."""
    if view not in AccessView.values:
        raise ValueError(view)
    with transaction.atomic():
        for report in reports:
            ReportAccess.append(
                chain=f"report-access:{report.pk}", report=report, user=user, view=view
            )
