"""Saying "me too" (附议), and area alerts: subscribe, confirm, stop, and the scheduled job
that mails new published reports to confirmed subscribers. Keyword-only and atomic; what
is refused stores nothing."""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.cases.models import Case
from civicdesk.core.positions import PositionError, checked_position
from civicdesk.core.textnorm import normalize_for_search
from civicdesk.nearby.models import AlertDelivery, AlertKind, AreaAlert, Endorsement
from civicdesk.nearby.queries import published_reports, within
from civicdesk.notifications import services as notify
from civicdesk.notifications.models import Channel, Event

logger = logging.getLogger(__name__)

MIN_RADIUS_M = 50
MAX_STREET = 100
# Reports listed in one alert message; the rest are a link to the map.
ALERT_REPORTS_PER_MESSAGE = 20
# A confirmed alert sends the reports published since its confirmation, but never older
# than this (a subscriber confirming a month-old link does not get a month of reports).
ALERT_LOOKBACK = timedelta(days=2)


class NearbyError(Exception):
    """A refused request; the message is translated and names what is wrong."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# "Me too" --------------------------------------------------------------------------------


def _digest(*parts: str) -> str:
    material = ":".join([settings.SECRET_KEY, "metoo", *parts]).encode()
    return hashlib.sha256(material).hexdigest()


@dataclass(frozen=True)
class Endorsed:
    endorsement: Endorsement
    count: int


class AlreadyEndorsed(NearbyError):
    pass


@transaction.atomic
def endorse(*, case: Case, browser_id: str, client_address: str, user_agent: str) -> Endorsed:
    """Record one "me too" of a person on a published report still being handled: one per
    browser and per address and browser software, per report and day."""
    if not published_reports().filter(pk=case.pk).exists():
        raise NearbyError(_("This report is not published."))
    if not case.is_open:
        raise NearbyError(
            _(
                "This report has been answered, so it takes no more “me too”. If the problem "
                "is still there, report it again."
            )
        )
    day = timezone.localdate()
    browser_key = _digest("browser", day.isoformat(), browser_id) if browser_id else ""
    client_key = _digest("client", day.isoformat(), client_address, user_agent[:300])
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                case=case, day=day, browser_key=browser_key, client_key=client_key
            )
    except IntegrityError:
        raise AlreadyEndorsed(
            _("You already said “me too” to this report today. Thank you: it was counted.")
        ) from None
    return Endorsed(endorsement, Endorsement.objects.filter(case=case).count())


# Area alerts -----------------------------------------------------------------------------


def max_radius_m() -> int:
    return int(getattr(settings, "CIVICDESK_ALERT_MAX_RADIUS", 5000))


def max_alerts_per_address() -> int:
    return int(getattr(settings, "CIVICDESK_ALERT_MAX_PER_ADDRESS", 10))


@dataclass(frozen=True)
class AlertArea:
    kind: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    radius_m: int | None = None
    street: str = ""

    @property
    def key(self) -> str:
        if self.kind == AlertKind.RADIUS:
            return f"r:{self.latitude:.6f},{self.longitude:.6f},{self.radius_m}"
        return f"s:{street_key(self.street)}"[:160]


def street_key(street: str) -> str:
    """A street name as compared with addresses: Simplified, half-width, no spaces."""
    return re.sub(r"\s+", "", normalize_for_search(street))


def alert_area(
    *, kind: str, latitude=None, longitude=None, radius_m=None, street: str = ""
) -> AlertArea:
    """The area of an alert, checked: a circle no wider than CIVICDESK_ALERT_MAX_RADIUS, or
    a street name."""
    street = (street or "").strip()
    if kind == AlertKind.RADIUS:
        if latitude in (None, "") or longitude in (None, ""):
            raise NearbyError(
                _("Choose the centre of the area: tap the map or use your location."), "latitude"
            )
        try:
            lat, lng = checked_position(latitude, longitude)
        except PositionError as error:
            raise NearbyError(error.message, error.coordinate) from None
        try:
            radius = int(radius_m)
        except (TypeError, ValueError):
            raise NearbyError(_("Give the radius in metres."), "radius_m") from None
        if not MIN_RADIUS_M <= radius <= max_radius_m():
            raise NearbyError(
                _("The radius must be between %(min)d and %(max)d metres; %(radius)d is not.")
                % {"min": MIN_RADIUS_M, "max": max_radius_m(), "radius": radius},
                "radius_m",
            )
        if street:
            raise NearbyError(_("Choose a circle or a street, not both."), "street")
        return AlertArea(AlertKind.RADIUS, lat, lng, radius)
    if kind == AlertKind.STREET:
        if len(street) < 2 or not street_key(street):
            raise NearbyError(_("Give the name of the street (at least two characters)."), "street")
        if len(street) > MAX_STREET:
            raise NearbyError(
                _("The street name may have at most %(max)d characters.") % {"max": MAX_STREET},
                "street",
            )
        return AlertArea(AlertKind.STREET, street=street)
    raise NearbyError(_("Choose a circle around a point or a street."), "kind")


def _check_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise NearbyError(
            _("“%(email)s” is not an e-mail address.") % {"email": email[:100]}, "email"
        ) from None
    return email


def _site_url(path: str) -> str:
    return notify.site_url(path)


def alert_links(alert: AreaAlert) -> dict:
    return {
        "confirm_url": _site_url(reverse("nearby:alert_confirm", args=[alert.token])),
        "stop_url": _site_url(reverse("nearby:alert_stop", args=[alert.token])),
    }


def area_description(alert: AreaAlert) -> str:
    if alert.kind == AlertKind.RADIUS:
        return _("within %(radius)d m of %(lat)s, %(lng)s") % {
            "radius": alert.radius_m,
            "lat": alert.latitude,
            "lng": alert.longitude,
        }
    return _("on %(street)s") % {"street": alert.street}


@transaction.atomic
def alert_subscribe(*, email: str, area: AlertArea, language: str = "") -> AreaAlert:
    """Subscribe an address to an area (again); a confirmation link is mailed (at most once
    a day per alert, so the form cannot flood a mailbox), nothing else until it is opened."""
    email = _check_email(email)
    alert = AreaAlert.objects.filter(email=email, area_key=area.key).first()
    if alert is None:
        if AreaAlert.objects.filter(email=email).count() >= max_alerts_per_address():
            raise NearbyError(
                _(
                    "This address already has %(max)d area alerts, the most allowed. Stop one "
                    "with the link in its messages first."
                )
                % {"max": max_alerts_per_address()},
                "email",
            )
        try:
            with transaction.atomic():
                alert = AreaAlert.objects.create(
                    email=email,
                    kind=area.kind,
                    latitude=area.latitude,
                    longitude=area.longitude,
                    radius_m=area.radius_m,
                    street=area.street,
                    area_key=area.key,
                    language=language,
                )
        except IntegrityError:  # the same subscription, at the same moment
            alert = AreaAlert.objects.get(email=email, area_key=area.key)
    if not alert.is_confirmed:
        notify.queue(
            event=Event.AREA_ALERT_CONFIRM,
            channel=Channel.EMAIL,
            address=email,
            language=language,
            # Called when rendered, in the subscriber's language.
            context={"area": lambda: area_description(alert), **alert_links(alert)},
            occurrence=f"area-alert:{alert.pk}:{timezone.localdate().isoformat()}",
        )
    return alert


def alert_confirm(*, token: str) -> AreaAlert | None:
    alert = AreaAlert.objects.filter(token=token).first()
    if alert is not None and not alert.is_confirmed:
        alert.confirmed_at = timezone.now()
        alert.save(update_fields=["confirmed_at"])
    return alert


def alert_stop(*, token: str) -> bool:
    deleted, _rows = AreaAlert.objects.filter(token=token).delete()
    return bool(deleted)


# The scheduled job -------------------------------------------------------------------------


def _new_reports_for(alert: AreaAlert, now) -> list[Case]:
    since = max(alert.confirmed_at, now - ALERT_LOOKBACK)
    delivered = AlertDelivery.objects.filter(alert=alert, case=OuterRef("pk"))
    cases = (
        published_reports()
        .filter(received_at__gte=since, received_at__lte=now)
        .exclude(Exists(delivered))
        .with_public_texts()
        .select_related("category")
    )
    if alert.kind == AlertKind.RADIUS:
        return within(cases, float(alert.latitude), float(alert.longitude), alert.radius_m)
    wanted = street_key(alert.street)
    return [
        case
        for case in cases.exclude(submission__address="").order_by("received_at", "pk")
        # The public address: a street never matches a part the redactor or a moderator hid.
        if wanted in street_key(case.public_text(case.submission.address))
    ]


def _report_line(case: Case) -> dict:
    text = case.public_text(case.submission.description)
    return {
        "text": text if len(text) <= 80 else text[:79] + "…",
        "address": case.public_text(case.submission.address),
        "url": _site_url(reverse("nearby:report", args=[case.public_id])),
    }


def send_area_alerts(*, now=None) -> int:
    """Mail each confirmed subscriber the published reports in their area that they were
    not sent yet, one message per subscriber and run. Idempotent: a report is recorded as
    delivered to an alert in the transaction that queues the message, so running again, or
    two workers at once, never sends the same report twice. Returns the messages queued."""
    now = now or timezone.now()
    sent = 0
    for alert_id in AreaAlert.objects.filter(confirmed_at__isnull=False).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            alert = AreaAlert.objects.select_for_update().filter(pk=alert_id).first()
            if alert is None:  # stopped meanwhile
                continue
            cases = _new_reports_for(alert, now)
            if not cases:
                continue
            AlertDelivery.objects.bulk_create([AlertDelivery(alert=alert, case=c) for c in cases])
            listed = cases[:ALERT_REPORTS_PER_MESSAGE]
            first = min(case.pk for case in cases)
            notify.queue(
                event=Event.AREA_ALERT_NEWS,
                channel=Channel.EMAIL,
                address=alert.email,
                language=alert.language,
                context={
                    "area": lambda alert=alert: area_description(alert),
                    "reports": [_report_line(case) for case in listed],
                    "more": len(cases) - len(listed),
                    "map_url": _site_url(reverse("nearby:map")),
                    **alert_links(alert),
                },
                occurrence=f"area-alert-news:{alert.pk}:{first}:{len(cases)}",
            )
            sent += 1
    if sent:
        logger.info("area alerts: %d messages queued", sent)
    return sent
