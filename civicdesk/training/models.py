"""Training records (关门修炼): lectures and seminars with their attendees, study assignments
(a book or document) with who read it and a short reflection, and skills contests with their
scores. Each activity credits hours to the people who took part; figures.py adds them up per
person and unit."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User


class SessionKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    SEMINAR = "seminar", _("Seminar")


class AttendanceSource(models.TextChoices):
    FORM = "form", _("Entered by hand")
    IMPORT = "import", _("Imported from a spreadsheet")


def _positive_hours(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=100), name=name)


class Session(models.Model):
    """A lecture (e.g. the district lecture hall, 哈南大讲堂) or a seminar."""

    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    date = models.DateField(_("date"), db_index=True)
    topic = models.CharField(_("topic"), max_length=200)
    speaker = models.CharField(_("speaker"), max_length=120)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("lecture or seminar")
        verbose_name_plural = _("lectures and seminars")
        constraints = [_positive_hours("training_session_hours")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="attendances")
    source = models.CharField(max_length=10, choices=AttendanceSource.choices)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person__username"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"


class StudyAssignment(models.Model):
    """A book or document staff are asked to read (recommended reading)."""

    title = models.CharField(_("book or document"), max_length=200)
    source = models.CharField(_("author or issuer"), max_length=200, blank=True)
    assigned_on = models.DateField(_("assigned on"), db_index=True)
    due_on = models.DateField(_("read by"), null=True, blank=True)
    hours = models.DecimalField(_("hours credited"), max_digits=4, decimal_places=1)
    # Who is asked to read it: the staff of this unit and the units below it (the district:
    # everyone).
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("for the staff of")
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assigned_on", "-id"]
        verbose_name = _("study assignment")
        verbose_name_plural = _("study assignments")
        constraints = [_positive_hours("training_study_hours")]

    def __str__(self) -> str:
        return self.title

    def covers(self, person: User) -> bool:
        return person.unit is not None and person.unit.path.startswith(self.unit.path)


class StudyRecord(models.Model):
    """Someone read the assignment, with a short reflection (读书心得)."""

    assignment = models.ForeignKey(
        StudyAssignment, on_delete=models.CASCADE, related_name="records"
    )
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="study_records")
    finished_on = models.DateField(_("finished on"), db_index=True)
    reflection = models.TextField(_("reflection"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-finished_on", "-id"]
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "person"], name="training_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.assignment}"


class Contest(models.Model):
    """A skills contest (业务技能大比武)."""

    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    hours = models.DecimalField(_("hours credited"), max_digits=4, decimal_places=1)
    max_score = models.DecimalField(_("full marks"), max_digits=6, decimal_places=2, default=100)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("skills contest")
        verbose_name_plural = _("skills contests")
        constraints = [
            _positive_hours("training_contest_hours"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="training_full_marks"),
        ]

    def __str__(self) -> str:
        return self.title


class ContestEntry(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="contest_entries")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-score", "person__username"]
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        constraints = [
            models.UniqueConstraint(fields=["contest", "person"], name="training_enter_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="training_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.score}"
