"""Every change to invitations and ratings goes through here: checked, atomic and logged."""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.services import case_assign
from civicdesk.cases.workflow import Status
from civicdesk.core.deadlines import work_calendar
from civicdesk.intake.models import Channel
from civicdesk.intake.services import NewSubmission, submission_create
from civicdesk.ratings.access import RATED_KINDS, may_appeal, may_decide_appeals, may_issue
from civicdesk.ratings.models import (
    AppealStatus,
    EventAction,
    Level,
    Rating,
    RatingEvent,
    RatingInvitation,
    Reason,
    Source,
    new_token,
)

RATING_CHANNEL = "rating"
# The rater may rate again once the unit has answered the rectification case.
RERATE_STATUSES = frozenset({Status.ANSWERED, Status.CLOSED})


def _now():
    """The moment of a rating (a function, so tests can set the clock)."""
    return timezone.now()


class RatingError(Exception):
    """Input or an action that is refused; the message is translated and shown as it is."""


def rectification_days() -> int:
    return int(getattr(settings, "CIVICDESK_RECTIFICATION_DAYS", 15))


@transaction.atomic
def invitation_create(
    *,
    window: Unit,
    actor: User | None,
    staff: User | None = None,
    service_name: str = "",
    source: str = Source.STAFF,
    application=None,
    step=None,
) -> RatingInvitation:
    """A one-time rating link for one visit; actor None is the public window QR code (or
    the applicant of an online-hall `application`, rating it at `step`)."""
    if not window.is_active or window.kind not in RATED_KINDS:
        raise RatingError(_("This window cannot be rated."))
    if actor is not None and not may_issue(actor, window):
        raise RatingError(_("You may not issue rating links for this window."))
    if staff is not None and (staff.unit is None or not staff.unit.path.startswith(window.path)):
        raise RatingError(_("That staff member does not work at this window."))
    invitation = RatingInvitation.objects.create(
        window=window,
        staff=staff,
        service_name=service_name.strip(),
        source=source,
        created_by=actor,
        application=application,
        step=step,
    )
    RatingEvent.objects.create(
        invitation=invitation, action=EventAction.INVITE, actor=actor, data={"source": source}
    )
    return invitation


def _clean_rating(level: object, reasons: Iterable[str]) -> tuple[int, list[str]]:
    try:
        value = int(level)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        value = 0
    if value not in Level.values:
        raise RatingError(
            _("Choose one of the five levels, from very satisfied to very dissatisfied.")
        )
    codes = list(dict.fromkeys(reasons))
    if any(code not in Reason.values for code in codes):
        raise RatingError(_("Choose reasons from the list."))
    return value, codes


def _rectification_text(rating: Rating, contact_left: bool) -> str:
    invitation = rating.invitation
    lines = [
        _("Bad rating of the service window %(window)s: %(level)s.")
        % {"window": rating.window.name, "level": Level(rating.level).label}
    ]
    if rating.staff is not None:
        lines.append(_("Staff member: %(name)s") % {"name": rating.staff})
    if invitation.application_id is not None:
        lines.append(
            _("Matter: %(matter)s, application %(code)s, step: %(step)s")
            % {
                "matter": invitation.application.item.name,
                "code": invitation.application.tracking_code,
                "step": invitation.step.label if invitation.step else "—",
            }
        )
    elif invitation.service_name:
        lines.append(_("Service: %(name)s") % {"name": invitation.service_name})
    if rating.reasons:
        lines.append(_("Reasons: %(reasons)s") % {"reasons": "、".join(rating.reason_labels())})
    if rating.comment:
        lines.append(_("Comment: %(comment)s") % {"comment": rating.comment})
    if not contact_left:
        lines.append(_("The rater left no contact details."))
    return "\n".join(lines)


def _open_rectification(
    rating: Rating, *, contact_name: str, contact_phone: str, contact_email: str
):
    data = NewSubmission(
        channel=Channel.objects.get(code=RATING_CHANNEL),
        description=_rectification_text(
            rating, bool(contact_name or contact_phone or contact_email)
        ),
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        language=get_language() or "",
        source_details={"rating": rating.pk, "window": rating.window.code},
        received_at=rating.created_at,
    )
    _submission, case, _created = submission_create(data=data)
    if rating.window.is_active:
        case = case_assign(case=case, unit=rating.window, actor=None)
    calendar = work_calendar()
    rating.case = case
    rating.due_at = calendar.add_working_days(
        timezone.localtime(rating.created_at), rectification_days()
    )
    rating.rerate_token = new_token()
    rating.save(update_fields=["case", "due_at", "rerate_token"])
    RatingEvent.objects.create(
        invitation=rating.invitation,
        rating=rating,
        action=EventAction.RECTIFY,
        data={"case": case.tracking_code, "due_at": rating.due_at.isoformat()},
    )


def _store(
    *,
    invitation: RatingInvitation,
    previous: Rating | None,
    level: int,
    reasons: list[str],
    comment: str,
) -> Rating:
    try:
        with transaction.atomic():
            return Rating.objects.create(
                invitation=invitation,
                window=invitation.window,
                staff=invitation.staff,
                previous=previous,
                level=level,
                reasons=reasons,
                comment=comment.strip(),
                created_at=_now(),
            )
    except IntegrityError:
        raise RatingError(
            _("This visit was already rated. Each visit can be rated once.")
        ) from None


@transaction.atomic
def rating_submit(
    *,
    invitation: RatingInvitation,
    level: object,
    reasons: Iterable[str] = (),
    comment: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> Rating:
    """The citizen's rating of one visit; a bad one opens a rectification case for the window."""
    value, codes = _clean_rating(level, reasons)
    invitation = RatingInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise RatingError(_("This visit was already rated. Each visit can be rated once."))
    rating = _store(
        invitation=invitation, previous=None, level=value, reasons=codes, comment=comment
    )
    invitation.used_at = rating.created_at
    invitation.save(update_fields=["used_at"])
    RatingEvent.objects.create(
        invitation=invitation, rating=rating, action=EventAction.RATE, data={"level": value}
    )
    if rating.is_bad:
        _open_rectification(
            rating,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_email=contact_email.strip(),
        )
    return rating


def rerate_refusal(previous: Rating) -> str:
    """Why the rater may not rate again now, or "" when they may."""
    if hasattr(previous, "rerating"):
        return _("You already rated this visit again. Thank you.")
    if previous.case is None or previous.case.status not in RERATE_STATUSES:
        return _(
            "You can rate again once the unit has answered. Follow its progress with the "
            "tracking code."
        )
    return ""


@transaction.atomic
def rating_rerate(
    *, previous: Rating, level: object, reasons: Iterable[str] = (), comment: str = ""
) -> Rating:
    """Rate the same visit once more after the rectification case was answered."""
    value, codes = _clean_rating(level, reasons)
    previous = (
        Rating.objects.select_for_update(of=("self",))
        .select_related("case", "invitation", "window", "staff")
        .get(pk=previous.pk)
    )
    refusal = rerate_refusal(previous)
    if refusal:
        raise RatingError(refusal)
    rating = _store(
        invitation=previous.invitation,
        previous=previous,
        level=value,
        reasons=codes,
        comment=comment,
    )
    RatingEvent.objects.create(
        invitation=previous.invitation,
        rating=rating,
        action=EventAction.RERATE,
        data={"level": value, "previous": previous.pk, "previous_level": previous.level},
    )
    return rating


def _lock_rating(rating: Rating) -> Rating:
    return (
        Rating.objects.select_for_update(of=("self",))
        .select_related("window", "invitation")
        .get(pk=rating.pk)
    )


@transaction.atomic
def rating_appeal(*, rating: Rating, actor: User, reason: str) -> Rating:
    """The window's unit says a rating is malicious or mistaken; a supervisor decides."""
    if not reason.strip():
        raise RatingError(_("Say why the rating is malicious or mistaken."))
    rating = _lock_rating(rating)
    if not may_appeal(actor, rating):
        raise RatingError(_("Only the window's unit may appeal its ratings."))
    if rating.appeal_status != AppealStatus.NONE:
        raise RatingError(_("This rating was already appealed."))
    rating.appeal_status = AppealStatus.PENDING
    rating.appeal_reason = reason.strip()
    rating.save(update_fields=["appeal_status", "appeal_reason"])
    RatingEvent.objects.create(
        invitation=rating.invitation,
        rating=rating,
        action=EventAction.APPEAL,
        actor=actor,
        note=rating.appeal_reason,
    )
    return rating


@transaction.atomic
def rating_decide_appeal(*, rating: Rating, actor: User, uphold: bool, reason: str) -> Rating:
    """A supervisor upholds an appeal (the rating no longer counts) or rejects it."""
    if not reason.strip():
        raise RatingError(_("Give the reason for the decision."))
    if not may_decide_appeals(actor):
        raise RatingError(_("Only a supervisor decides appeals."))
    rating = _lock_rating(rating)
    if rating.appeal_status != AppealStatus.PENDING:
        raise RatingError(_("There is no pending appeal on this rating."))
    rating.appeal_status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
    fields = ["appeal_status"]
    if uphold:
        rating.excluded = True
        rating.excluded_reason = reason.strip()
        fields += ["excluded", "excluded_reason"]
    rating.save(update_fields=fields)
    RatingEvent.objects.create(
        invitation=rating.invitation,
        rating=rating,
        action=EventAction.UPHOLD if uphold else EventAction.REJECT,
        actor=actor,
        note=reason.strip(),
    )
    return rating
