"""Messages to applicants (the one-time code, the notice of missing materials, the outcome),
sent through the project's SMS and e-mail senders (civicdesk.notifications.senders).

They go to the contact the applicant left, in the language they applied in. The one-time code
is sent at once, and a failure is told to the person waiting for it; the others are sent when
the change that caused them commits, and a failure is logged: the application's page, which
the applicant reaches with the tracking code, always shows the same notice.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from civicdesk.applications.models import Application, Notice
from civicdesk.core.templatetags.civic import local_name
from civicdesk.notifications.senders import Channel, mask_email, mask_phone, send

logger = logging.getLogger(__name__)
_quiet: ContextVar[bool] = ContextVar("civicdesk_hall_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """Send nothing from inside this block (the demo's invented applicants)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def applicant_channel(application: Application) -> tuple[str, str]:
    """(channel, address): the mobile phone when there is one, else the e-mail."""
    if application.contact_phone:
        return Channel.SMS, application.contact_phone
    return Channel.EMAIL, application.contact_email


def masked_contact(application: Application) -> str:
    channel, address = applicant_channel(application)
    return mask_phone(address) if channel == Channel.SMS else mask_email(address)


def _site_url(path: str) -> str:
    from django.conf import settings

    return getattr(settings, "CIVICDESK_SITE_URL", "").rstrip("/") + path


def _send(application: Application, subject: str, body: str) -> None:
    channel, address = applicant_channel(application)
    send(channel, address, subject, body)


def send_code(application: Application, code: str, minutes: int) -> None:
    """Send the one-time code now; the sender's error is raised to the caller."""
    with translation.override(application.language or None):
        subject = _("Your code for application %(code)s") % {"code": application.tracking_code}
        body = _(
            "%(otp)s is your one-time code for application %(code)s (%(matter)s). It is valid "
            "for %(minutes)d minutes. If you did not ask for it, ignore this message."
        ) % {
            "otp": code,
            "code": application.tracking_code,
            "matter": local_name(application.item),
            "minutes": minutes,
        }
    _send(application, subject, body)


def _after_commit(application: Application, subject: str, body: str, what: str) -> None:
    if _quiet.get():
        return

    def deliver() -> None:
        try:
            _send(application, subject, body)
        except Exception:
            # The page shows the same; a failed message must not undo the staff's action.
            logger.warning("application %s: the %s message could not be sent", application.pk, what)

    transaction.on_commit(deliver)


def notice_text(notice: Notice) -> tuple[str, str]:
    """Subject and body of a notice, in the applicant's language."""
    application = notice.application
    with translation.override(application.language or None):
        lines = [
            _(
                "One-time notice for application %(code)s (%(matter)s): the following "
                "materials are missing. This is the complete list."
            )
            % {"code": application.tracking_code, "matter": local_name(application.item)}
        ]
        for number, item in enumerate(notice.items.select_related("material__requirement"), 1):
            line = f"{number}. {item.material.requirement.name}"
            if item.problem:
                line += f" ({item.problem})"
            lines.append(line)
        if notice.reason:
            lines.append(_("Why: %(reason)s") % {"reason": notice.reason})
        lines.append(
            _("Hand them in online: %(url)s (enter your tracking code).")
            % {"url": _site_url(reverse("applications:track"))}
        )
        subject = _("Materials missing for application %(code)s") % {
            "code": application.tracking_code
        }
    return subject, "\n".join(lines)


def queue_notice(notice: Notice) -> None:
    subject, body = notice_text(notice)
    _after_commit(notice.application, subject, body, "notice")


def queue_outcome(application: Application) -> None:
    with translation.override(application.language or None):
        subject = _("Application %(code)s: %(status)s") % {
            "code": application.tracking_code,
            "status": application.get_status_display(),
        }
        body = _("Your application %(code)s (%(matter)s) is now: %(status)s. Details: %(url)s") % {
            "code": application.tracking_code,
            "matter": local_name(application.item),
            "status": application.get_status_display(),
            "url": _site_url(reverse("applications:track")),
        }
        if application.outcome_note:
            body += "\n" + application.outcome_note
    _after_commit(application, subject, body, "outcome")
