"""Supervision (督办): supervision letters to units and leaders' instructions, each about one
case, prominent problem or measure, with a tamper-evident history (civicdesk.core.chain).

A supervision letter (督办单) tells a unit what it must do and report by a deadline; the unit
replies, a supervisor closes the letter or sends the reply back. Before the deadline the unit
is reminded, after it the letter is escalated to the unit's leaders (scheduled jobs, once
each). A letter replied after its deadline was answered late: the appraisal counts it.

A leader's instruction (领导批示) is shown on top of its case, problem or measure and in the
queue of the unit it is addressed to, until the unit acknowledges it (saying how it will be
carried out); it stays on the page after that.
"""

from datetime import datetime, time

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.core.chain import ChainedEvent

SUBJECT_KINDS = ("case", "problem", "measure")


class SubjectQuerySet(models.QuerySet):
    def about(self, subject) -> "SubjectQuerySet":
        """Rows about this case, problem or measure."""
        return self.filter(**{subject._meta.model_name: subject})

    def for_unit_subtree(self, unit: Unit) -> "SubjectQuerySet":
        return self.filter(unit__path__startswith=unit.path)


class Subject(models.Model):
    """What a letter or instruction is about: exactly one case, problem or measure."""

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    problem = models.ForeignKey(
        "problems.Problem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    measure = models.ForeignKey(
        "commitments.Measure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The unit it is addressed to.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )

    class Meta:
        abstract = True

    @property
    def subject(self):
        return self.case or self.problem or self.measure

    @property
    def subject_kind(self) -> str:
        return next(kind for kind in SUBJECT_KINDS if getattr(self, f"{kind}_id") is not None)


def _one_subject(name: str) -> models.CheckConstraint:
    case, problem, measure = (Q(**{f"{kind}__isnull": False}) for kind in SUBJECT_KINDS)
    return models.CheckConstraint(
        condition=(case & ~problem & ~measure)
        | (~case & problem & ~measure)
        | (~case & ~problem & measure),
        name=name,
    )


class LetterStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the unit's reply")
    REPLIED = "replied", _("Replied, waiting for the supervisor")
    CLOSED = "closed", _("Closed")


class SupervisionLetterQuerySet(SubjectQuerySet):
    def open(self) -> "SupervisionLetterQuerySet":
        return self.exclude(status=LetterStatus.CLOSED)

    def awaiting_reply(self) -> "SupervisionLetterQuerySet":
        return self.filter(status=LetterStatus.OPEN)

    def late(self, today=None) -> "SupervisionLetterQuerySet":
        """Waiting for the reply after the deadline day."""
        return self.awaiting_reply().filter(deadline__lt=today or timezone.localdate())


class SupervisionLetter(Subject):
    number = models.CharField(_("number"), max_length=40, unique=True)
    requirement = models.TextField(_("what the unit must do and report"))
    deadline = models.DateField(_("reply by"))
    issued_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.OPEN
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = SupervisionLetterQuerySet.as_manager()

    # What each SupervisionEvent records of the letter; `civicdesk verify_chains` compares it.
    chained_state = (
        "number",
        "unit",
        "case",
        "problem",
        "measure",
        "requirement",
        "deadline",
        "status",
        "reply",
        "replied_at",
        "reminded_at",
        "escalated_at",
        "closed_at",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [_one_subject("letter_has_one_subject")]
        verbose_name = _("supervision letter")
        verbose_name_plural = _("supervision letters")

    def __str__(self) -> str:
        return self.number

    @property
    def chain_name(self) -> str:
        return f"letter:{self.pk}"

    @property
    def due_at(self) -> datetime:
        """The end of the deadline day, when the reply becomes late."""
        return timezone.make_aware(datetime.combine(self.deadline, time.max))

    def is_late(self, now: datetime | None = None) -> bool:
        """Still waiting for the reply after the deadline."""
        return self.status == LetterStatus.OPEN and (now or timezone.now()) > self.due_at

    @property
    def answered_late(self) -> bool:
        """Replied, but after the deadline: a line of the unit's appraisal."""
        return self.replied_at is not None and self.replied_at > self.due_at


class LeaderInstructionQuerySet(SubjectQuerySet):
    def unacknowledged(self) -> "LeaderInstructionQuerySet":
        return self.filter(acknowledged_at__isnull=True)


class LeaderInstruction(Subject):
    text = models.TextField(_("instruction"))
    leader = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    acknowledgement = models.TextField(_("how the unit carries it out"), blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = LeaderInstructionQuerySet.as_manager()

    chained_state = (
        "unit",
        "case",
        "problem",
        "measure",
        "text",
        "leader",
        "given_at",
        "acknowledgement",
        "acknowledged_at",
    )

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [_one_subject("instruction_has_one_subject")]
        verbose_name = _("leader's instruction")
        verbose_name_plural = _("leaders' instructions")

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def chain_name(self) -> str:
        return f"instruction:{self.pk}"


class SupervisionAction(models.TextChoices):
    ISSUE = "issue", _("Letter issued")
    REMIND = "remind", _("Reminder sent")
    ESCALATE = "escalate", _("Escalated to the unit's leaders")
    REPLY = "reply", _("Unit replied")
    SEND_BACK = "send_back", _("Reply sent back")
    CLOSE = "close", _("Letter closed")
    INSTRUCT = "instruct", _("Instruction given")
    ACKNOWLEDGE = "acknowledge", _("Instruction acknowledged")


class SupervisionEvent(ChainedEvent):
    """One step of a letter or an instruction, chained per letter or instruction."""

    letter = models.ForeignKey(
        SupervisionLetter, null=True, on_delete=models.PROTECT, related_name="events"
    )
    instruction = models.ForeignKey(
        LeaderInstruction, null=True, on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(max_length=20, choices=SupervisionAction.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")

    chained_fields = ("letter", "instruction", "action", "note", "actor")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("supervision event")
        verbose_name_plural = _("supervision events")

    def __str__(self) -> str:
        return f"{self.chain}#{self.position} {self.action}"

    def subjects(self) -> list[tuple[type[models.Model], int]]:
        if self.letter_id is not None:
            return [(SupervisionLetter, self.letter_id)]
        if self.instruction_id is not None:
            return [(LeaderInstruction, self.instruction_id)]
        return []
