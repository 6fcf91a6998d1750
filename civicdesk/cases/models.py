"""Cases: the work that follows each submission, with its deadlines and its timeline."""

import secrets
from datetime import datetime

from django.db import models
from django.db.models import Case as Choice
from django.db.models import Exists, F, OuterRef, Prefetch, Q, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.cases.workflow import OPEN_STATUSES, UNROUTED_STATUSES, Action, Status
from civicdesk.core.history import AppendOnly
from civicdesk.core.redaction import Redactor, names_in
from civicdesk.core.textnorm import normalize_for_search
from civicdesk.core.tracking import ALPHABET, normalize_tracking_code

PUBLIC_ID_LENGTH = 12


def new_public_id() -> str:
    """A case's public id: random, 12 lower-case characters of the tracking-code alphabet,
    so it can never be taken for a tracking code (10 characters, a check character) and
    tells nothing about the code or the order of the cases."""
    return "".join(secrets.choice(ALPHABET.lower()) for _ in range(PUBLIC_ID_LENGTH))


class Category(models.Model):
    """A node of the taxonomy: top-level nodes are the aspects, their children the categories."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    default_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


def overdue_condition(now: datetime) -> Q:
    """Past the deadline of the stage the case is in; a suspended case's clock stands still,
    so it is not overdue while suspended. A condition, so that queues can negate it."""
    return (
        Q(status__in=UNROUTED_STATUSES, assign_due_at__lt=now)
        | Q(
            status__in=OPEN_STATUSES,
            suspended_at__isnull=True,
            first_responded_at__isnull=True,
            response_due_at__lt=now,
        )
        | Q(status__in=OPEN_STATUSES, suspended_at__isnull=True, answer_due_at__lt=now)
    )


def stage_due() -> Combinable:
    """The deadline of the stage a case is in, as SQL (Case.stage_due_at in Python). The
    status list is sorted so that the SQL is the same in every process (a frozenset's order
    changes with the interpreter's hash seed): the index of open cases by stage deadline
    (Meta.indexes) only serves a query whose expression matches it exactly."""
    return Choice(
        When(status__in=sorted(UNROUTED_STATUSES), then=F("assign_due_at")),
        When(first_responded_at__isnull=True, then=Least("response_due_at", "answer_due_at")),
        default=F("answer_due_at"),
    )


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        # Sorted, as in the condition of the index of open cases: the same SQL in every process.
        return self.filter(status__in=sorted(OPEN_STATUSES))

    def overdue(self, now: datetime | None = None) -> "CaseQuerySet":
        """Cases past the deadline of the stage they are in (see overdue_condition)."""
        return self.filter(overdue_condition(now or timezone.now()))

    def for_unit_subtree(self, unit: Unit) -> "CaseQuerySet":
        return self.filter(unit__path__startswith=unit.path)

    def visible_to(self, user: User) -> "CaseQuerySet":
        if not user.is_authenticated or not user.is_staff_member:
            return self.none()
        if user.sees_all_cases:
            return self
        if user.role != Role.HANDLER or user.unit_id is None:
            return self.none()
        # A co-handling unit sees the case too: it has its part to answer.
        co_handled = CoUnit.objects.filter(
            case=OuterRef("pk"), unit__path__startswith=user.unit.path
        )
        return self.filter(Q(unit__path__startswith=user.unit.path) | Exists(co_handled))

    def search(self, query: str, *, public: bool = False) -> "CaseQuerySet":
        """Every word must appear; Traditional and Simplified match each other."""
        field = "public_search_text__contains" if public else "search_text__contains"
        qs = self
        for term in normalize_for_search(query).split():
            matches = Q(**{field: term})
            code = normalize_tracking_code(term)
            if code and not public:
                # A tracking code typed without its dashes still finds its case.
                matches |= Q(**{field: code.lower()})
            qs = qs.filter(matches)
        return qs

    def with_public_texts(self) -> "CaseQuerySet":
        """Loads what ``Case.public_text`` reads (the submission and every note) with the cases,
        so that a list of public cases does not query once per case."""
        from civicdesk.moderation.hook import moderations_prefetch  # builds on this module

        return self.select_related("submission").prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.exclude(note="").only("case_id", "note"),
                to_attr="noted_events",
            ),
            moderations_prefetch(),
        )

    def published(self) -> "CaseQuerySet":
        """Answered cases whose reporters agreed to publication."""
        return self.filter(
            status__in=[Status.ANSWERED, Status.CLOSED], submission__consent_publish=True
        )


class Case(models.Model):
    submission = models.OneToOneField(
        "intake.Submission", on_delete=models.PROTECT, related_name="case"
    )
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    # The id the public sees for a published case (map, Open311 search): never the tracking
    # code, which is the reporter's secret.
    public_id = models.CharField(
        _("public id"),
        max_length=PUBLIC_ID_LENGTH,
        unique=True,
        default=new_public_id,
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("unit"),
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("category"),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    received_at = models.DateTimeField(_("received"), db_index=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    assign_due_at = models.DateTimeField()
    response_due_at = models.DateTimeField()
    answer_due_at = models.DateTimeField()
    # The official answer currently in force (the latest one), kept for lists and the public page.
    answer = models.TextField(_("official answer"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # Within the unit: the person (承办人) or the grid (网格) the case was given to, if any.
    assignee = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("person in charge"),
    )
    grid = models.ForeignKey(
        "cases.Grid",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("grid"),
    )
    # Returns since the last arbitration; at CIVICDESK_RETURN_LIMIT the case waits for one.
    return_count = models.PositiveSmallIntegerField(default=0)
    arbitration_since = models.DateTimeField(null=True, blank=True)
    # The unit a supervisor's arbitration gave the case to: that unit cannot return it.
    bound_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Since when an approved suspension stops the deadline clock (None: it runs).
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Normalised description and address (Simplified, half-width, case-folded) for staff search.
    search_text = models.TextField(editable=False, blank=True)
    # The same for what the public sees once published: redacted description and answer only,
    # so that searching cannot reveal hidden personal data.
    public_search_text = models.TextField(editable=False, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["unit", "status", "-received_at"]),
            models.Index(fields=["status", "-received_at"]),
            # The work queues ordered by the stage's deadline (open, due soon, overdue) read
            # their first page from here instead of sorting every open case; a queue's query
            # names the open statuses itself, so that PostgreSQL sees the condition holds.
            models.Index(
                stage_due(),
                F("id"),
                name="case_open_stage_due",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # "To route": cases waiting for a unit, the assignment deadline first.
            models.Index(
                fields=["assign_due_at", "id"],
                name="case_unrouted_assign_due",
                condition=Q(status__in=sorted(UNROUTED_STATUSES)),
            ),
            # "Awaiting follow-up": answered cases, in the order they were answered.
            models.Index(
                fields=["answered_at", "id"],
                name="case_answered_at",
                condition=Q(status=Status.ANSWERED),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def reporter_may_be_contacted(self) -> bool:
        """False when the person said 请勿联系: no message, return call or visit about it; their
        contact data stays on record, marked so, but no staff action may use it."""
        return self.submission.consent_contact

    def stage_due_at(self) -> datetime | None:
        """The deadline of the stage the case is in now, if it has one."""
        if self.status in UNROUTED_STATUSES:
            return self.assign_due_at
        if self.status in OPEN_STATUSES:
            if self.first_responded_at is None:
                return min(self.response_due_at, self.answer_due_at)
            return self.answer_due_at
        return None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def approved_clock_requests(self):
        """Extensions and suspensions a supervisor approved: their reasons are public."""
        return self.clock_requests.filter(status=ClockRequestStatus.APPROVED)

    @property
    def awaits_arbitration(self) -> bool:
        return self.arbitration_since is not None

    def is_overdue(self, now: datetime | None = None) -> bool:
        if self.is_suspended and self.status not in UNROUTED_STATUSES:
            return False
        due = self.stage_due_at()
        return due is not None and due < (now or timezone.now())

    def personal_details(self) -> list[str]:
        """Personal data known anywhere in the case: the reporter's own contact fields and every
        name the redactor recognises in the description, address, answer or any note (internal
        ones included). An answer quoting a name the reporter introduced ("我叫王小明") in the
        description, or a neighbour named in a dispute, names nobody in any public text."""
        submission = self.submission
        notes = getattr(self, "noted_events", None)
        if notes is None:
            # A case being created has no events yet (and may not be asked for them).
            notes = self.events.exclude(note="").only("note") if self.pk else []
        texts = [submission.description, submission.address, self.answer]
        texts += [event.note for event in notes]
        return [*submission.personal_details, *names_in(texts)]

    def public_redactor(self) -> Redactor:
        return Redactor(self.personal_details())

    def public_text(self, text: str) -> str:
        """``text`` as the public may read it: every public text of a case (description,
        address, answer, timeline notes, on the pages, in the API and in Open311) goes through
        here, so that all of them hide the same personal data. A text a moderator hid or edited
        (civicdesk.moderation) is shown as moderated, wherever it appears. The redactor is built
        once per loaded case; reload the case after changing its texts."""
        from civicdesk.moderation.hook import moderated  # builds on this module

        redactor = self.__dict__.get("_public_redactor")
        if redactor is None:
            redactor = self.__dict__["_public_redactor"] = self.public_redactor()
        return redactor(moderated(self, text or ""))

    def refresh_search_text(self) -> None:
        submission = self.submission
        self.search_text = normalize_for_search(
            " ".join([self.tracking_code, submission.description, submission.address])
        )
        # A fresh redactor and moderation: the texts they read may have just changed.
        redactor = self.public_redactor()
        self.__dict__.pop("_public_redactor", None)
        from civicdesk.moderation.hook import forget_moderations, moderated

        forget_moderations(self)
        self.public_search_text = normalize_for_search(
            " ".join(
                [
                    redactor(moderated(self, submission.description)),
                    redactor(moderated(self, self.answer)),
                ]
            )
        )


class CaseEventQuerySet(models.QuerySet):
    def public(self) -> "CaseEventQuerySet":
        return self.filter(is_public=True)


class CaseEvent(AppendOnly):
    """One entry of a case's timeline. Append-only: events are never edited or deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "reporter" or "system" when no staff member acted.
    actor_kind = models.CharField(max_length=20, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class ReplyTemplate(models.Model):
    """Reusable answer text; a unit's own templates plus district-wide ones (no unit)."""

    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="reply_templates"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.title


# The work-order rows (grids, dispatch rules, co-units, return reasons, extension and
# suspension requests) live in their own module; imported here so Django registers them.
from civicdesk.cases.workorder_models import (  # noqa: E402
    Area,
    ClockRequest,
    ClockRequestKind,
    ClockRequestStatus,
    CoUnit,
    DispatchRule,
    Grid,
    ReturnReason,
    SuspensionGround,
)

__all__ = [
    "Area",
    "Case",
    "CaseEvent",
    "CaseQuerySet",
    "Category",
    "ClockRequest",
    "ClockRequestKind",
    "ClockRequestStatus",
    "CoUnit",
    "DispatchRule",
    "Grid",
    "ReplyTemplate",
    "ReturnReason",
    "SuspensionGround",
]
