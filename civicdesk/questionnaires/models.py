"""Questionnaires: built by staff in versions, answered on the web or on paper.

A questionnaire is the stable thing people link to (its slug) with settings that apply to
every version; its questions live in versions. Publishing freezes a version, and editing a
published questionnaire starts a new draft version, so a response always points at exactly
the questions it answered.

Answers are plain relational rows, not JSON per response: the results page counts options,
averages scales and lists texts in SQL without loading every response, the database refuses
an answer to a question or option that does not exist (PROTECT keeps answered versions whole),
and each answer has an id that a triage submission can name. A multiple-choice answer is one
row per chosen option.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicdesk.accounts.models import User
from civicdesk.core.history import AppendOnly


class Audience(models.TextChoices):
    ENTERPRISES = "enterprises", _("Enterprises")
    CITIZENS = "citizens", _("Citizens")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", pgettext_lazy("questionnaire", "Closed")


# Status changes a questionnaire may make. Publishing a new version of a published
# questionnaire keeps it published; a closed one may be opened again by publishing.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.PUBLISHED}),
    Status.PUBLISHED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.PUBLISHED}),
}

SCALE_LIMITS = (0, 10)  # scales run within 0…10, e.g. 1–5 or 0–10
DEFAULT_LOW_SCORE = 2


class Questionnaire(models.Model):
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ENTERPRISES
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    one_response_per_enterprise = models.BooleanField(
        _("one response per enterprise"),
        default=False,
        help_text=_("An enterprise (by its unified social credit code) may answer only once."),
    )
    login_required = models.BooleanField(
        _("login required"), default=False, help_text=_("Only logged-in users may answer.")
    )
    low_score_threshold = models.PositiveSmallIntegerField(
        _("low score threshold"),
        default=DEFAULT_LOW_SCORE,
        help_text=_("A scale answer at or below this score becomes a submission for triage."),
    )
    # The published version people answer now; None until the first publication.
    current_version = models.ForeignKey(
        "QuestionnaireVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == Status.PUBLISHED and self.current_version_id is not None

    def draft_version(self) -> "QuestionnaireVersion | None":
        return self.versions.filter(published_at__isnull=True).first()

    def latest_version(self) -> "QuestionnaireVersion | None":
        return self.versions.order_by("-number").first()


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    # Set once, when the version is published; from then on its questions never change.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["questionnaire", "number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="questionnaires_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=Q(published_at__isnull=True),
                name="questionnaires_one_draft_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.published_at is not None

    def ordered_questions(self) -> models.QuerySet["Question"]:
        return (
            self.questions.select_related("section")
            .prefetch_related("options")
            .order_by("section__position", "section_id", "position", "id")
        )


class Section(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections"
    )
    title = models.CharField(_("section title"), max_length=200, blank=True)
    description = models.TextField(_("section introduction"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title or f"#{self.position + 1}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Text")
    ENTERPRISE = "enterprise", _("Enterprise identity")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})


class Question(models.Model):
    # The version is the section's, copied here so that codes are unique per version.
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    # A short label such as "Q3": column header of paper templates and exports.
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("explanation"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    scale_min = models.SmallIntegerField(_("lowest score"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("highest score"), null=True, blank=True)
    scale_min_label = models.CharField(_("label of the lowest score"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the highest score"), max_length=60, blank=True)

    class Meta:
        ordering = ["position", "id"]  # within a section; see ordered_questions()
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="questionnaires_question_code_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind="scale")
                | Q(
                    scale_min__isnull=False,
                    scale_max__isnull=False,
                    scale_min__lt=models.F("scale_max"),
                ),
                name="questionnaires_scale_has_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    def scale_values(self) -> list[int]:
        if self.kind != QuestionKind.SCALE or self.scale_min is None or self.scale_max is None:
            return []
        return list(range(self.scale_min, self.scale_max + 1))


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label


class ResponseChannel(models.TextChoices):
    WEB = "web", _("Web")
    PAPER = "paper", _("Paper")


class Response(models.Model):
    """One filled-in questionnaire, from the web page or typed in from a paper form."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ResponseChannel.choices)
    enterprise_name = models.CharField(_("enterprise name"), max_length=200, blank=True)
    enterprise_credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True
    )
    # The credit code when the questionnaire allowed one response per enterprise at the time,
    # else empty: the unique constraint makes "once per enterprise" hold even under races.
    enterprise_key = models.CharField(max_length=18, blank=True, editable=False)
    contact_name = models.CharField(_("contact name"), max_length=80, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    respondent = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Paper forms: who typed it in, the number printed or written on the form, when filled in.
    entered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paper_number = models.CharField(_("form number"), max_length=60, blank=True)
    filled_on = models.DateField(_("filled in on"), null=True, blank=True)
    source_file = models.CharField(_("imported from"), max_length=200, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    # A hidden token of the web form, so a double click stores one response, not two.
    form_token = models.UUIDField(null=True, blank=True, unique=True, default=None)
    # The one submission (and so the one case and tracking code) that holds the response's
    # concerns; None while it has none (praise, nothing said, or waiting for staff).
    submission = models.OneToOneField(
        "intake.Submission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questionnaire_response",
    )
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "enterprise_key"],
                condition=~Q(enterprise_key=""),
                name="questionnaires_one_response_per_enterprise",
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "paper_number"],
                condition=~Q(paper_number=""),
                name="questionnaires_paper_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} #{self.pk}"


class Outcome(models.TextChoices):
    """What became of an answer in triage (questionnaires.concerns); empty: nothing to do
    (choices, scores above the threshold, the enterprise's identity)."""

    CASE = "case", _("Passed on in the response's case")
    PRAISE = "praise", _("Praise: no case")
    NOTHING = "nothing", _("Nothing said")
    TO_CONFIRM = "to_confirm", _("Staff to confirm")
    NO_CASE = "no_case", _("Staff confirmed: no case")
    CONFIDENTIAL = "confidential", _("Filed as a confidential report")


# What staff may decide about an answer, from the outcome it has: open a case for an answer
# the reading could not place (or read as praise, when it was not), or confirm no case.
OUTCOME_TRANSITIONS: dict[str, frozenset[str]] = {
    Outcome.TO_CONFIRM: frozenset({Outcome.CASE, Outcome.NO_CASE}),
    Outcome.PRAISE: frozenset({Outcome.CASE}),
}


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # Choice: one row per chosen option. Scale: number. Text: text. Enterprise identity: the
    # name in text and the code in credit_code.
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    credit_code = models.CharField(max_length=18, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True, db_index=True
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(option__isnull=True),
                name="questionnaires_one_answer_per_question",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "option"],
                condition=Q(option__isnull=False),
                name="questionnaires_option_once_per_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class EventAction(models.TextChoices):
    CREATE = "create", _("Created")
    EDIT = "edit", _("Settings changed")
    DRAFT = "draft", _("New draft version")
    DISCARD = "discard", _("Draft version discarded")
    PUBLISH = "publish", _("Published")
    CLOSE = "close", pgettext_lazy("questionnaire", "Closed")
    IMPORT = "import", _("Paper forms imported")
    CONFIRM_CASE = "confirm_case", _("Staff opened a case for written answers")
    CONFIRM_NO_CASE = "confirm_no_case", _("Staff confirmed written answers need no case")


class QuestionnaireEvent(AppendOnly):
    """Who published, closed or imported what and when. Append-only."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="events"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=EventAction.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("questionnaire event")
        verbose_name_plural = _("questionnaire events")

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.action}"


class PaperImportReport(models.Model):
    """The rejected rows of a failed paper import, for the person who uploaded the file."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="import_reports"
    )
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("rejected paper import report")
        verbose_name_plural = _("rejected paper import reports")

    def __str__(self) -> str:
        return self.file_name
