"""百姓评: one-time rating invitations per visit, the ratings themselves, and their history."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Case
from civicdesk.core.history import AppendOnly


def new_token() -> str:
    """About 256 bits from ``secrets``: a link that cannot be guessed."""
    return secrets.token_urlsafe(32)


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# The bottom two levels are bad ratings; each one becomes a rectification case.
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})


class Reason(models.TextChoices):
    WAITED = "waited", _("Waited too long")
    COME_BACK = "come_back", _("Asked to come back")
    UNCLEAR = "unclear", _("Unclear requirements")
    UNFRIENDLY = "unfriendly", _("Unfriendly staff")
    EXTRA_MATERIALS = "extra_materials", _("Asked for extra materials")
    FEES = "fees", _("Fees unclear")
    OTHER = "other", _("Other")


class AppealStatus(models.TextChoices):
    NONE = "", _("Not appealed")
    PENDING = "pending", _("Appeal pending")
    UPHELD = "upheld", _("Appeal upheld")
    REJECTED = "rejected", _("Appeal rejected")


class Source(models.TextChoices):
    STAFF = "staff", _("Issued by staff")
    WINDOW_LINK = "window_link", _("Window QR code")


class RatingInvitation(models.Model):
    """One visit or matter at a window; its token lets the citizen rate it once."""

    window = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rating_invitations", verbose_name=_("window")
    )
    staff = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rating_invitations",
        verbose_name=_("staff member"),
    )
    service_name = models.CharField(_("service"), max_length=200, blank=True)
    # An online-hall application the visit was for, and its step then: a bad rating names
    # the matter and the step.
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating_invitations",
        verbose_name=_("application"),
    )
    step = models.ForeignKey(
        "applications.ProcessStep",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("step"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.STAFF)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating invitation")
        verbose_name_plural = _("rating invitations")

    def __str__(self) -> str:
        return f"{self.window} {self.created_at:%Y-%m-%d %H:%M}"


class RatingQuerySet(models.QuerySet):
    def counted(self) -> "RatingQuerySet":
        """What statistics count: not excluded after an appeal, and only a matter's last
        rating (a re-rating replaces the rating before it)."""
        return self.filter(excluded=False, rerating__isnull=True)

    def bad(self) -> "RatingQuerySet":
        return self.filter(level__in=BAD_LEVELS)

    def for_unit_subtree(self, unit: Unit) -> "RatingQuerySet":
        return self.filter(window__path__startswith=unit.path)

    def rectification_open(self) -> "RatingQuerySet":
        from civicdesk.cases.workflow import OPEN_STATUSES

        return self.filter(case__isnull=False, case__status__in=OPEN_STATUSES)

    def overdue(self) -> "RatingQuerySet":
        return self.rectification_open().filter(due_at__lt=timezone.now())


class Rating(models.Model):
    """A citizen's rating of one visit. The first rating of an invitation is unique; a
    re-rating after the rectification was answered points at the rating it replaces."""

    invitation = models.ForeignKey(
        RatingInvitation, on_delete=models.PROTECT, related_name="ratings"
    )
    # Copied from the invitation so that statistics need no join.
    window = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ratings")
    staff = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="ratings"
    )
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rerating"
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Bad ratings: the rectification case, its deadline, and the rater's re-rate link.
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    due_at = models.DateTimeField(_("rectify by"), null=True, blank=True)
    rerate_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Appeal by the window's unit, decided by a supervisor.
    appeal_status = models.CharField(
        max_length=20, choices=AppealStatus.choices, blank=True, default=AppealStatus.NONE
    )
    appeal_reason = models.TextField(blank=True)
    excluded = models.BooleanField(_("excluded from statistics"), default=False)
    excluded_reason = models.TextField(blank=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(previous__isnull=True),
                name="ratings_one_first_rating_per_visit",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="ratings_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def is_overdue(self) -> bool:
        from civicdesk.cases.workflow import OPEN_STATUSES

        return (
            self.case is not None
            and self.case.status in OPEN_STATUSES
            and self.due_at is not None
            and self.due_at < timezone.now()
        )

    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels.get(code, code)) for code in self.reasons]


class EventAction(models.TextChoices):
    INVITE = "invite", _("Invitation issued")
    RATE = "rate", _("Rated")
    RECTIFY = "rectify", _("Rectification case opened")
    RERATE = "rerate", _("Rated again")
    APPEAL = "appeal", _("Appealed")
    UPHOLD = "uphold", _("Appeal upheld")
    REJECT = "reject", _("Appeal rejected")


class RatingEvent(AppendOnly):
    """One change to an invitation or rating. Append-only: never edited or deleted."""

    invitation = models.ForeignKey(
        RatingInvitation, on_delete=models.CASCADE, related_name="events"
    )
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=20, choices=EventAction.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("rating event")
        verbose_name_plural = _("rating events")

    def __str__(self) -> str:
        return f"{self.invitation_id} {self.action}"
