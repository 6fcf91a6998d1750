"""Appraisal schemes (考核方案) as data: versions, each a list of lines (see lines.py).

A scheme applies from the month it is valid from until a later version takes over, so the
score of a past month is always worked out with the scheme in force then. Schemes are never
edited: a change is a new version (schemes.scheme_create), checked as a whole first."""

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User


class SchemeQuerySet(models.QuerySet):
    def in_force(self, month: date) -> "Scheme | None":
        """The version for a month: the latest one valid from that month or before."""
        return (
            self.filter(valid_from__lte=month.replace(day=1)).order_by("-valid_from", "-id").first()
        )


class Scheme(models.Model):
    name = models.CharField(_("name"), max_length=120)
    # Always the first day of a month.
    valid_from = models.DateField(_("valid from"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("appraisal scheme")
        verbose_name_plural = _("appraisal schemes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__day=1), name="appraisal_scheme_from_first_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%Y-%m})"


class SchemeLine(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    # A code of lines.kinds(); kept as text so that an app may add kinds later.
    kind = models.CharField(_("kind"), max_length=40)
    # RATE lines: which rate.
    target = models.CharField(_("rate"), max_length=40, blank=True)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    cap = models.DecimalField(_("at most"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["scheme", "position"]
        verbose_name = _("scheme line")
        verbose_name_plural = _("scheme lines")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "position"], name="appraisal_line_position")
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id}#{self.position} {self.kind} {self.points}"
