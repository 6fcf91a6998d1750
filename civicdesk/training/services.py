"""Every change of the training records goes through here: checked, atomic, all or nothing."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.training.models import (
    Attendance,
    AttendanceSource,
    Contest,
    ContestEntry,
    Session,
    StudyAssignment,
    StudyRecord,
)

MAX_REFLECTION = 2000


class TrainingError(Exception):
    """A change the rules refuse; the message is translated and names what is wrong."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def check_hours(hours: Decimal, field: str = "hours") -> None:
    if hours is None or not Decimal(0) < hours <= Decimal(100):
        raise TrainingError(_("Hours: give a number above 0 and at most 100."), field)


@transaction.atomic
def attendance_add(
    *, session: Session, people: list[User], actor: User, source: str = AttendanceSource.FORM
) -> tuple[int, int]:
    """Record that these people attended; returns (added, already recorded)."""
    inactive = [str(p) for p in people if not p.is_staff_member]
    if inactive:
        raise TrainingError(
            _("Not active staff: %(names)s.") % {"names": ", ".join(inactive)}, "people"
        )
    known = set(session.attendances.values_list("person_id", flat=True))
    fresh = [p for p in dict.fromkeys(people) if p.pk not in known]
    Attendance.objects.bulk_create(
        Attendance(session=session, person=p, source=source, recorded_by=actor) for p in fresh
    )
    return len(fresh), len(set(people)) - len(fresh)


@transaction.atomic
def study_record(
    *, assignment: StudyAssignment, person: User, reflection: str, finished_on: date | None = None
) -> StudyRecord:
    """Someone read the assignment: with a short reflection, once."""
    reflection = reflection.strip()
    if not reflection:
        raise TrainingError(_("Write a few lines on what you took from it."), "reflection")
    if len(reflection) > MAX_REFLECTION:
        raise TrainingError(
            _("Keep the reflection to %(n)d characters.") % {"n": MAX_REFLECTION}, "reflection"
        )
    if not assignment.covers(person):
        raise TrainingError(_("This reading is not assigned to your unit."))
    finished_on = finished_on or timezone.localdate()
    if finished_on > timezone.localdate():
        raise TrainingError(_("The day you finished cannot be in the future."), "finished_on")
    if finished_on < assignment.assigned_on:
        raise TrainingError(
            _("The day you finished cannot be before the reading was assigned."), "finished_on"
        )
    try:
        with transaction.atomic():
            return StudyRecord.objects.create(
                assignment=assignment,
                person=person,
                reflection=reflection,
                finished_on=finished_on,
            )
    except IntegrityError:
        raise TrainingError(_("You have already recorded this reading.")) from None


@transaction.atomic
def contest_score(*, contest: Contest, person: User, score: Decimal) -> ContestEntry:
    """Record (or correct) a contestant's score."""
    if score is None or score < 0 or score > contest.max_score:
        raise TrainingError(
            _("Score: give a number from 0 to %(max)s.") % {"max": contest.max_score}, "score"
        )
    if not person.is_staff_member:
        raise TrainingError(_("Not active staff: %(names)s.") % {"names": person}, "person")
    entry, _created = ContestEntry.objects.update_or_create(
        contest=contest, person=person, defaults={"score": score}
    )
    return entry


@dataclass(frozen=True)
class RankedEntry:
    rank: int
    entry: ContestEntry


def ranking(contest: Contest) -> list[RankedEntry]:
    """Entries best first; equal scores share a rank and the next rank skips (1, 2, 2, 4)."""
    ranked: list[RankedEntry] = []
    for position, entry in enumerate(contest.entries.select_related("person", "person__unit"), 1):
        same = ranked and ranked[-1].entry.score == entry.score
        ranked.append(RankedEntry(ranked[-1].rank if same else position, entry))
    return ranked
