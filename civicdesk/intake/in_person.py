"""The in-person channels: opinions heard at a window, on the phone, by a leader at a window
or on a community visit, typed in by the member of staff who heard them. The staff page and
the API both turn what was heard into a submission here, so their rules cannot drift."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Role, User
from civicdesk.intake.models import Channel, ChannelGroup
from civicdesk.intake.services import NewSubmission

# Everyone who meets people: at windows, on the phone, as leaders on reception days, on visits.
RECORDING_ROLES = (Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
# How far back staff may date an opinion they heard: a week's notes from visits, not archives.
MAX_BACKDATE_DAYS = 30
# A clock a few minutes fast on the clerk's device is not "the future".
CLOCK_SLACK = timedelta(minutes=5)


class InPersonError(ValueError):
    """What was typed breaks a rule of the channel; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def can_record(user: User) -> bool:
    return user.has_role(*RECORDING_ROLES)


def in_person_channels():
    return Channel.objects.filter(group=ChannelGroup.IN_PERSON, is_active=True)


def check_heard_on(heard_on: datetime, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if heard_on > now + CLOCK_SLACK:
        raise InPersonError("heard_on", _("The time it was heard cannot be in the future."))
    if heard_on < now - timedelta(days=MAX_BACKDATE_DAYS):
        raise InPersonError(
            "heard_on",
            _("Record opinions within %(days)s days of hearing them.")
            % {"days": MAX_BACKDATE_DAYS},
        )


def check_consent(*, consent_contact: bool, contact_phone: str, contact_email: str) -> None:
    if consent_contact and not (contact_phone.strip() or contact_email.strip()):
        raise InPersonError(
            "contact_phone",
            _(
                "Give a phone number or an e-mail address, or record that the person does "
                "not want to be contacted."
            ),
        )


def in_person_submission(
    *,
    channel: Channel,
    heard_at: str,
    heard_by: str,
    heard_on: datetime,
    recorded_by: User,
    via: str,
    **fields,
) -> NewSubmission:
    """What was heard as a submission, after the channel's rules: an in-person channel, a
    time neither in the future nor too old, and a way to reach the person if they agreed to
    be contacted. `fields` are NewSubmission's fields about the opinion and the person."""
    if channel.group != ChannelGroup.IN_PERSON:
        codes = ", ".join(in_person_channels().values_list("code", flat=True))
        raise InPersonError("channel", _("Use an in-person channel: %(codes)s.") % {"codes": codes})
    check_heard_on(heard_on)
    check_consent(
        consent_contact=fields.get("consent_contact", True),
        contact_phone=fields.get("contact_phone", ""),
        contact_email=fields.get("contact_email", ""),
    )
    return NewSubmission(
        channel=channel,
        source_details={
            "via": via,
            "heard_at": heard_at.strip(),
            "heard_by": heard_by.strip() or recorded_by.display_name or str(recorded_by),
        },
        received_at=heard_on,
        recorded_by=recorded_by,
        **fields,
    )
