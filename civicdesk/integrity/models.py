"""Who looked at which integrity signal list, and what it showed them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User
from civicdesk.core.chain import ChainedEvent


class Signal(models.TextChoices):
    STUCK = "stuck", _("Waiting far beyond the usual time at one desk")
    AGENTS = "agents", _("One agent or phone number for many applicants")
    REFUSALS = "refusals", _("Material refused here, accepted elsewhere")


class SignalAccess(ChainedEvent):
    """One view of a signal list (page or API): append-only and hash-chained, so nobody
    removes their trace. `shown` lists what the view showed (tracking codes, phone numbers,
    unit and material pairs)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signal = models.CharField(max_length=10, choices=Signal.choices)
    via = models.CharField(max_length=10, default="page")
    shown = models.JSONField(default=list, blank=True)

    chained_fields = ("user", "signal", "via", "shown")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("signal view")
        verbose_name_plural = _("signal views")

    def __str__(self) -> str:
        return f"{self.user_id} {self.signal} {self.created_at:%Y-%m-%d %H:%M}"
