"""Reports near you: "me too" (附议) on published reports, and e-mail alerts about new
published reports in an area (a circle or a street), confirmed by link."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.core.history import AppendOnly


class Endorsement(AppendOnly):
    """One "me too" (附议) on a published report: one per person, report and day.

    A person has no account, so "the same person" is the same browser (a random id in a
    signed cookie) or the same address and browser software on the same day; both are stored
    as digests keyed with the site's secret and the day, so they cannot be followed from one
    day to the next. Either one seen again refuses the second "me too" of the day."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="endorsements")
    day = models.DateField()
    browser_key = models.CharField(max_length=64, blank=True)
    client_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "day", "client_key"], name="nearby_one_endorsement_per_client"
            ),
            models.UniqueConstraint(
                fields=["case", "day", "browser_key"],
                condition=~Q(browser_key=""),
                name="nearby_one_endorsement_per_browser",
            ),
        ]
        verbose_name = _("me too")
        verbose_name_plural = _("me too")

    def __str__(self) -> str:
        return f"{self.case_id} {self.day}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class AlertKind(models.TextChoices):
    RADIUS = "radius", _("Within a distance of a point")
    STREET = "street", _("On a street")


class AreaAlert(models.Model):
    """Someone who wants an e-mail about new published reports in an area; nothing is sent
    until they open the confirmation link (double opt-in)."""

    email = models.EmailField(_("e-mail"))
    kind = models.CharField(_("area"), max_length=10, choices=AlertKind.choices)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (metres)"), null=True, blank=True)
    street = models.CharField(_("street"), max_length=100, blank=True)
    # The area in one comparable string: one alert per address and area.
    area_key = models.CharField(max_length=160, editable=False)
    language = models.CharField(max_length=10, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Reports published from this moment on are sent (none before the confirmation).
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "area_key"], name="nearby_one_alert_per_area"),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="radius",
                        latitude__isnull=False,
                        longitude__isnull=False,
                        radius_m__isnull=False,
                        street="",
                    )
                    | Q(kind="street", latitude__isnull=True, radius_m__isnull=True) & ~Q(street="")
                ),
                name="nearby_alert_area_complete",
            ),
        ]
        verbose_name = _("area alert")
        verbose_name_plural = _("area alerts")

    def __str__(self) -> str:
        return f"{self.pk} {self.kind}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class AlertDelivery(models.Model):
    """That a report went to an alert's subscriber: never the same report twice."""

    alert = models.ForeignKey(AreaAlert, on_delete=models.CASCADE, related_name="deliveries")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "case"], name="nearby_one_delivery_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.case_id}"
