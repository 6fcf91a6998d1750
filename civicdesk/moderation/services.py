"""Moderating public texts and deciding abuse reports: keyword-only, atomic, each change a
row of the append-only history and an event on the case's timeline."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import Action
from civicdesk.moderation.access import is_moderator
from civicdesk.moderation.hook import forget_moderations, in_force
from civicdesk.moderation.models import (
    AbuseReason,
    AbuseReport,
    AbuseReportEvent,
    AbuseStatus,
    ModerationAction,
    PublicField,
    TextModeration,
)
from civicdesk.moderation.workflow import may_decide

MAX_REASON = 2000
MAX_COMMENT = 1000


class ModerationError(Exception):
    """A moderation that is not allowed; the message is translated and names the problem."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def stored_text(case: Case, field: str) -> str:
    """The text as stored (what the reporter wrote, what the unit answered)."""
    if field == PublicField.DESCRIPTION:
        return case.submission.description
    if field == PublicField.ADDRESS:
        return case.submission.address
    if field == PublicField.ANSWER:
        return case.answer
    raise ModerationError(_("Choose the report text, the place or the answer."), "field")


def current_moderation(case: Case, field: str) -> TextModeration | None:
    """The moderation in force on the field's current text, if any."""
    return in_force(case).get(stored_text(case, field))


@dataclass(frozen=True)
class Moderated:
    moderation: TextModeration
    event: CaseEvent
    upheld: list[AbuseReport]


@transaction.atomic
def text_moderate(
    *,
    case: Case,
    field: str,
    action: str,
    reason: str,
    actor: User,
    replacement: str = "",
) -> Moderated:
    """Hide, edit or restore the public version of one text of a case. The stored text is
    never changed; the open abuse reports about that text are upheld by it."""
    if not is_moderator(actor):
        raise ModerationError(_("Only supervisors and administrators moderate public texts."))
    if field not in PublicField.values:
        raise ModerationError(_("Choose the report text, the place or the answer."), "field")
    if action not in ModerationAction.values:
        raise ModerationError(_("Choose whether to hide, edit or restore the text."), "action")
    reason = (reason or "").strip()
    replacement = (replacement or "").strip()
    if not reason:
        raise ModerationError(_("Give the reason for the moderation."), "reason")
    if len(reason) > MAX_REASON:
        raise ModerationError(
            _("The reason may have at most %(max)d characters.") % {"max": MAX_REASON}, "reason"
        )
    case = Case.objects.select_for_update().select_related("submission").get(pk=case.pk)
    original = stored_text(case, field)
    if not original:
        raise ModerationError(_("This text is empty: there is nothing to moderate."), "field")
    current = current_moderation(case, field)
    if action == ModerationAction.EDIT:
        if not replacement:
            raise ModerationError(
                _("Write the text the public should read instead."), "replacement"
            )
        if replacement == original:
            raise ModerationError(
                _("The edited text is the same as the original; change it or hide the text."),
                "replacement",
            )
    elif replacement:
        raise ModerationError(_("Only an edit takes a replacement text."), "replacement")
    if action == ModerationAction.RESTORE and current is None:
        raise ModerationError(_("This text is not moderated: there is nothing to restore."))
    if (
        current is not None
        and current.action == action
        and (action != ModerationAction.EDIT or current.replacement == replacement)
    ):
        raise ModerationError(_("This text is already moderated this way."))
    moderation = TextModeration.objects.create(
        case=case,
        field=field,
        action=action,
        original=original,
        replacement=replacement,
        reason=reason,
        actor=actor,
    )
    # Internal: the reason may quote what was hidden. The public sees the moderated text.
    event = CaseEvent.objects.create(
        case=case,
        action=Action.MODERATE,
        actor=actor,
        unit=actor.unit,
        note=reason,
        is_public=False,
        data={"field": field, "moderation": action, "moderation_id": moderation.pk},
    )
    forget_moderations(case)
    case.refresh_search_text()
    case.save(update_fields=["public_search_text"])
    upheld = []
    if action != ModerationAction.RESTORE:
        reports = AbuseReport.objects.select_for_update().filter(
            case=case, field=field, status=AbuseStatus.OPEN
        )
        for report in reports:
            upheld.append(
                _decide(report, AbuseStatus.UPHELD, actor=actor, note=reason, moderation=moderation)
            )
    return Moderated(moderation=moderation, event=event, upheld=upheld)


def _decide(
    report: AbuseReport,
    target: str,
    *,
    actor: User,
    note: str,
    moderation: TextModeration | None = None,
) -> AbuseReport:
    if not may_decide(report.status, target):
        raise ModerationError(_("This report was already decided."))
    source = report.status
    report.status = target
    report.decided_at = timezone.now()
    report.decided_by = actor
    report.moderation = moderation
    report.save(update_fields=["status", "decided_at", "decided_by", "moderation"])
    AbuseReportEvent.objects.create(
        report=report, from_status=source, to_status=target, actor=actor, note=note
    )
    return report


@transaction.atomic
def abuse_report_dismiss(*, report: AbuseReport, actor: User, note: str = "") -> AbuseReport:
    """A moderator finds nothing wrong with the flagged text."""
    if not is_moderator(actor):
        raise ModerationError(_("Only supervisors and administrators decide abuse reports."))
    report = AbuseReport.objects.select_for_update().get(pk=report.pk)
    return _decide(report, AbuseStatus.DISMISSED, actor=actor, note=(note or "").strip())


def client_key(address: str) -> str:
    """A digest of the client's address and the day, keyed with the site's secret: the same
    client on the same day, but no address in the database."""
    day = timezone.localdate().isoformat()
    material = f"{settings.SECRET_KEY}:abuse:{day}:{address}".encode()
    return hashlib.sha256(material).hexdigest()


class AlreadyReported(ModerationError):
    """This client already flagged this text and the report is still open."""


@transaction.atomic
def abuse_report_create(
    *, case: Case, field: str, reason: str, comment: str, client: str
) -> AbuseReport:
    """File a public flag about one text of a published case (the caller checked that the
    case is published and applied the rate limit)."""
    if field not in PublicField.values:
        raise ModerationError(_("Choose the report text, the place or the answer."), "field")
    if reason not in AbuseReason.values:
        raise ModerationError(_("Choose what is wrong with the text."), "reason")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ModerationError(
            _("The comment may have at most %(max)d characters.") % {"max": MAX_COMMENT},
            "comment",
        )
    if not stored_text(case, field):
        raise ModerationError(_("This report has no such text."), "field")
    try:
        with transaction.atomic():
            report = AbuseReport.objects.create(
                case=case,
                field=field,
                reason=reason,
                comment=comment,
                client_key=client_key(client),
            )
    except IntegrityError:
        raise AlreadyReported(
            _("You already reported this text; the moderators will look at it.")
        ) from None
    AbuseReportEvent.objects.create(report=report, to_status=AbuseStatus.OPEN, note=comment)
    return report
