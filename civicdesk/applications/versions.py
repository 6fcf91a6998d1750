"""Publishing a matter's checklist and process as a new version, and withdrawing one.

Every problem of a version is reported at once, each naming its row, and nothing is saved
unless all of it is right.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.applications.models import (
    STEP_ROLES,
    MaterialKind,
    MaterialRequirement,
    MatterVersion,
    ProcessStep,
    StepKind,
    VersionStatus,
)
from civicdesk.catalogue.access import can_edit_items
from civicdesk.catalogue.models import OnlineAvailability, ServiceItem

MAX_DAYS = 365
MAX_ROWS = 60


class VersionError(Exception):
    """A version that cannot be published; `messages` are translated, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class MaterialRow:
    name: str
    kind: str
    follow_up_days: int | None = None
    note: str = ""


@dataclass(frozen=True)
class StepRow:
    kind: str
    role: str
    unit: Unit | None
    time_limit_days: int | None
    online_possible: bool = False
    name: str = ""


def _material_problems(
    rows: list[MaterialRow], time_limit_days: int | None
) -> tuple[list[str], list[MaterialRow]]:
    problems: list[str] = []
    cleaned: list[MaterialRow] = []
    first_row_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        name = " ".join(row.name.split())
        where = _("Material row %(row)d") % {"row": number}
        if name:
            where = _("Material row %(row)d (%(name)s)") % {"row": number, "name": name}
        if not name:
            problems.append(_("%(where)s: give the material's name.") % {"where": where})
        elif len(name) > 120:
            problems.append(
                _("%(where)s: the name is longer than 120 characters.") % {"where": where}
            )
        elif name in first_row_of:
            problems.append(
                _("%(where)s: “%(name)s” is already row %(first)d; list each material once.")
                % {"where": where, "name": name, "first": first_row_of[name]}
            )
        else:
            first_row_of[name] = number
        if row.kind not in MaterialKind.values:
            problems.append(
                _("%(where)s: choose required, optional or may follow later (容缺).")
                % {"where": where}
            )
        elif row.kind == MaterialKind.DEFERRABLE:
            if row.follow_up_days is None or not 1 <= row.follow_up_days <= MAX_DAYS:
                problems.append(
                    _(
                        "%(where)s: a material that may follow later (容缺) needs a follow-up "
                        "deadline of 1 to %(max)d working days."
                    )
                    % {"where": where, "max": MAX_DAYS}
                )
            elif time_limit_days and row.follow_up_days > time_limit_days:
                problems.append(
                    _(
                        "%(where)s: it would follow %(days)d working days after acceptance, "
                        "after the matter's time limit of %(limit)d working days."
                    )
                    % {"where": where, "days": row.follow_up_days, "limit": time_limit_days}
                )
        elif row.follow_up_days is not None:
            problems.append(
                _(
                    "%(where)s: only a material that may follow later (容缺) has a follow-up "
                    "deadline; required and optional materials are handed in with the "
                    "application."
                )
                % {"where": where}
            )
        if len(row.note) > 200:
            problems.append(
                _("%(where)s: the note is longer than 200 characters.") % {"where": where}
            )
        cleaned.append(
            MaterialRow(
                name=name, kind=row.kind, follow_up_days=row.follow_up_days, note=row.note.strip()
            )
        )
    if rows and not any(row.kind == MaterialKind.REQUIRED for row in rows):
        problems.append(
            _(
                "The checklist has no required material: an application could then be "
                "accepted with nothing at all."
            )
        )
    return problems, cleaned


def _step_problems(
    rows: list[StepRow], item: ServiceItem, time_limit_days: int | None
) -> list[str]:
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        kind_label = dict(StepKind.choices).get(row.kind)
        where = _("Step row %(row)d") % {"row": number}
        if kind_label:
            where = _("Step row %(row)d (%(step)s)") % {
                "row": number,
                "step": row.name or kind_label,
            }
        if kind_label is None:
            problems.append(_("%(where)s: choose what the step is.") % {"where": where})
        if not row.role:
            problems.append(
                _("%(where)s: choose the role that handles this step.") % {"where": where}
            )
        elif row.role not in STEP_ROLES:
            problems.append(
                _(
                    "%(where)s: a step is handled by an intake clerk, a handler, a supervisor "
                    "or a leader."
                )
                % {"where": where}
            )
        if row.unit is None:
            problems.append(
                _("%(where)s: choose the unit that handles this step.") % {"where": where}
            )
        elif not row.unit.is_active:
            problems.append(
                _("%(where)s: the unit %(unit)s is no longer active.")
                % {"where": where, "unit": row.unit.name}
            )
        if row.time_limit_days is None or not 0 <= row.time_limit_days <= MAX_DAYS:
            problems.append(
                _("%(where)s: give a time limit of 0 to %(max)d working days.")
                % {"where": where, "max": MAX_DAYS}
            )
        if len(row.name) > 80:
            problems.append(
                _("%(where)s: the name is longer than 80 characters.") % {"where": where}
            )
        if item.online == OnlineAvailability.FULL and not row.online_possible:
            problems.append(
                _(
                    "%(where)s: the matter is offered fully online, but this step cannot be "
                    "done online."
                )
                % {"where": where}
            )
    kinds = [row.kind for row in rows]
    if rows and kinds[0] != StepKind.ACCEPT:
        problems.append(_("The first step must be the acceptance (受理)."))
    if rows and kinds[-1] != StepKind.ISSUE:
        problems.append(_("The last step must be the issue (办结发证)."))
    for kind in (StepKind.ACCEPT, StepKind.ISSUE):
        if kinds.count(kind) > 1:
            problems.append(
                _("The process has %(count)d “%(step)s” steps; it has exactly one.")
                % {"count": kinds.count(kind), "step": StepKind(kind).label}
            )
    limits = [row.time_limit_days for row in rows if row.time_limit_days is not None]
    if time_limit_days and limits and sum(limits) > time_limit_days:
        problems.append(
            _(
                "The steps' time limits add up to %(sum)d working days, more than the "
                "matter's time limit of %(limit)d."
            )
            % {"sum": sum(limits), "limit": time_limit_days}
        )
    return problems


@transaction.atomic
def version_publish(
    *,
    actor: User,
    item: ServiceItem,
    time_limit_days: int | None,
    materials: list[MaterialRow],
    steps: list[StepRow],
    note: str = "",
) -> MatterVersion:
    """Publish a new version of the matter's checklist and process; the active version
    before it is withdrawn (its applications go on under it)."""
    if not can_edit_items(actor):
        raise VersionError([_("You cannot change the service catalogue's matters.")])
    problems: list[str] = []
    if not item.is_active:
        problems.append(_("This matter is no longer offered; it cannot get a new version."))
    if time_limit_days is None or not 1 <= time_limit_days <= MAX_DAYS:
        problems.append(_("Time limit: give 1 to %(max)d working days.") % {"max": MAX_DAYS})
        time_limit_days = None
    elif time_limit_days > item.legal_days:
        problems.append(
            _(
                "Time limit: %(days)d working days is longer than the matter's legal time "
                "limit of %(legal)d."
            )
            % {"days": time_limit_days, "legal": item.legal_days}
        )
    if not materials:
        problems.append(_("The checklist is empty: list at least one required material."))
    if len(steps) < 2:
        problems.append(_("The process needs at least an acceptance step and an issue step."))
    if len(materials) > MAX_ROWS or len(steps) > MAX_ROWS:
        problems.append(_("At most %(max)d materials and %(max)d steps.") % {"max": MAX_ROWS})
    material_problems, cleaned = _material_problems(materials, time_limit_days)
    problems += material_problems
    problems += _step_problems(steps, item, time_limit_days)
    if problems:
        raise VersionError(problems)

    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    now = timezone.now()
    previous = MatterVersion.objects.filter(item=item, status=VersionStatus.ACTIVE).first()
    if previous is not None:
        previous.status = VersionStatus.WITHDRAWN
        previous.withdrawn_at = now
        previous.save(update_fields=["status", "withdrawn_at"])
    last = MatterVersion.objects.filter(item=item).order_by("-number").first()
    version = MatterVersion.objects.create(
        item=item,
        number=(last.number + 1) if last else 1,
        time_limit_days=time_limit_days,
        note=note.strip(),
        created_by=actor,
        created_at=now,
    )
    MaterialRequirement.objects.bulk_create(
        MaterialRequirement(
            version=version,
            position=position,
            name=row.name,
            kind=row.kind,
            follow_up_days=row.follow_up_days if row.kind == MaterialKind.DEFERRABLE else None,
            note=row.note,
        )
        for position, row in enumerate(cleaned, start=1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            version=version,
            position=position,
            kind=row.kind,
            name=row.name.strip(),
            role=row.role,
            unit=row.unit,
            time_limit_days=row.time_limit_days,
            online_possible=row.online_possible,
        )
        for position, row in enumerate(steps, start=1)
    )
    return version


@transaction.atomic
def version_withdraw(*, actor: User, version: MatterVersion) -> MatterVersion:
    """Stop new applications under this version; those already made go on."""
    if not can_edit_items(actor):
        raise VersionError([_("You cannot change the service catalogue's matters.")])
    version = MatterVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == VersionStatus.WITHDRAWN:
        raise VersionError([_("This version was already withdrawn.")])
    version.status = VersionStatus.WITHDRAWN
    version.withdrawn_at = timezone.now()
    version.save(update_fields=["status", "withdrawn_at"])
    return version
