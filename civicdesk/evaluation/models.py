"""Satisfaction follow-ups: after each answer the reporter is asked whether the problem was
solved and how satisfied they are. A follow-up is answered once, or expires as "no answer".

The return-visit queue (回访) of the call centre lives in `visit_models` (imported below):
sampling rules, scripts, the visits and their append-only events; and praise (表扬) that
people give a unit for a case."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case
from civicdesk.ratings.models import Level

# The five levels of 好差评, one scale for window ratings and case follow-ups; 5 is best.
Satisfaction = Level


# Levels counted as "satisfied" by the satisfaction rate.
SATISFIED_LEVELS = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED)


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")


class AnswerChannel(models.TextChoices):
    WEB = "web", _("Online")
    PHONE = "phone", _("Return call")
    VERIFIED = "verified", _("Verified by staff")
    # Reached on a visit of the return-visit queue (visits.py).
    VISIT = "visit", _("Return visit")


class SentVia(models.TextChoices):
    NONE = "", _("Not sent")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class FollowUpQuerySet(models.QuerySet):
    def for_unit_subtree(self, unit) -> "FollowUpQuerySet":
        return self.filter(case__unit__path__startswith=unit.path)

    def pending(self) -> "FollowUpQuerySet":
        return self.filter(status=FollowUpStatus.PENDING)

    def current_for(self, case: Case) -> "FollowUpQuerySet":
        """The follow-up of the answer now in force on the case."""
        return self.filter(case=case, answer_of=case.answered_at)


class FollowUp(models.Model):
    """One follow-up per official answer of a case (a re-answered case gets a new one)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups")
    # The case's answered_at when the follow-up was opened: which answer it asks about.
    answer_of = models.DateTimeField()
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    sent_via = models.CharField(max_length=10, choices=SentVia.choices, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.PENDING,
        db_index=True,
    )
    responded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=AnswerChannel.choices, blank=True
    )
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), choices=Satisfaction.choices, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("satisfaction follow-up")
        verbose_name_plural = _("satisfaction follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["case", "answer_of"], name="one_followup_per_answer")
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.case} {self.status}"


# The return-visit queue and praise, kept in their own module (see its docstring).
from civicdesk.evaluation.visit_models import (  # noqa: E402
    Praise,
    PraiseSource,
    ReturnVisit,
    SamplingRule,
    SamplingRuleKind,
    VisitEvent,
    VisitScript,
)

__all__ = [
    "SATISFIED_LEVELS",
    "AnswerChannel",
    "FollowUp",
    "FollowUpStatus",
    "Praise",
    "PraiseSource",
    "ReturnVisit",
    "SamplingRule",
    "SamplingRuleKind",
    "Satisfaction",
    "SentVia",
    "VisitEvent",
    "VisitScript",
]
