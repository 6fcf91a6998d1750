"""Every change of a supervision letter or a leader's instruction goes through here: checked,
atomic, and recorded as a hash-chained event (with the row's state, see core.chain). A letter
or instruction about a case is also noted on the case's timeline (internal)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import Action, Status
from civicdesk.core.chain import recorded_now
from civicdesk.supervision.models import (
    LeaderInstruction,
    LetterStatus,
    SupervisionAction,
    SupervisionEvent,
    SupervisionLetter,
)


class SupervisionError(Exception):
    """A change that is not allowed or not valid; translated, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


ISSUERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
INSTRUCTORS = frozenset({Role.LEADER})


def involved_units(subject: Model) -> list[Unit]:
    """The units a letter or instruction about this subject may go to: a case's lead and
    co-handling units, a measure's unit, a problem's lead and co-operating units and the
    units of its measures. The first one is the default."""
    if isinstance(subject, Case):
        units = [subject.unit] if subject.unit else []
        units += [co.unit for co in subject.co_units.select_related("unit")]
    elif subject._meta.model_name == "measure":
        units = [subject.unit]
    else:  # a problem
        units = [subject.lead_unit] if subject.lead_unit else []
        units += list(subject.co_units.all())
        units += [measure.unit for measure in subject.measures.select_related("unit")]
    return list(dict.fromkeys(unit for unit in units if unit.is_active))


def _check_unit(subject: Model, unit: Unit | None) -> Unit:
    units = involved_units(subject)
    if unit is None:
        if not units:
            raise SupervisionError(_("Unit: nobody handles this yet; assign it first."), "unit")
        return units[0]
    if unit not in units:
        raise SupervisionError(
            _("Unit: %(unit)s has no part in this; choose one of %(units)s.")
            % {"unit": unit, "units": "、".join(str(u) for u in units) or "—"},
            "unit",
        )
    return unit


def _check_subject(subject: Model) -> None:
    if isinstance(subject, Case) and subject.status == Status.MERGED:
        raise SupervisionError(_("This case was merged; supervise the case it was merged into."))


def _subject_fields(subject: Model) -> dict:
    return {subject._meta.model_name: subject}


def _event(obj: Model, action: str, *, actor: User | None, note: str = "") -> SupervisionEvent:
    key = "letter" if isinstance(obj, SupervisionLetter) else "instruction"
    return SupervisionEvent.append(
        chain=obj.chain_name, action=action, note=note, actor=actor, **{key: obj}
    )


def _on_case_timeline(obj: Model, action: str, actor: User | None, note: str, data: dict) -> None:
    """Letters and instructions about a case are steps of the case too (internal)."""
    if obj.case_id is None:
        return
    CaseEvent.objects.create(
        case_id=obj.case_id,
        action=action,
        actor=actor,
        actor_kind="" if actor else "system",
        unit=obj.unit,
        note=note,
        data=data,
        created_at=recorded_now(),
    )


def _next_number(year: int) -> str:
    prefix = f"督办〔{year}〕"
    taken = SupervisionLetter.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1}号"


def _lock(letter: SupervisionLetter) -> SupervisionLetter:
    return (
        SupervisionLetter.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=letter.pk)
    )


# --- Letters --------------------------------------------------------------------------------


@transaction.atomic
def letter_issue(
    *,
    subject: Model,
    actor: User,
    requirement: str,
    deadline: date | None,
    unit: Unit | None = None,
) -> SupervisionLetter:
    """A supervisor tells a unit what it must do and report about a case, problem or measure,
    by a deadline after today."""
    if actor.role not in ISSUERS:
        raise SupervisionError(_("Your role may not do this."))
    _check_subject(subject)
    if not requirement.strip():
        raise SupervisionError(
            _("Requirement: say what the unit must do and report."), "requirement"
        )
    if deadline is None:
        raise SupervisionError(_("Reply by: give the date."), "deadline")
    now = recorded_now()
    # Today as the letter is dated: a history loaded afterwards (the demo) is dated back.
    if deadline <= timezone.localtime(now).date():
        raise SupervisionError(_("Reply by: the date must be after today."), "deadline")
    unit = _check_unit(subject, unit)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                letter = SupervisionLetter.objects.create(
                    number=_next_number(timezone.localtime(now).year),
                    unit=unit,
                    requirement=requirement.strip(),
                    deadline=deadline,
                    issued_by=actor,
                    issued_at=now,
                    **_subject_fields(subject),
                )
            break
        except IntegrityError:
            continue  # two letters took the same number at once: count again
    else:
        raise SupervisionError(_("The letter could not be numbered; send it again."))
    _event(letter, SupervisionAction.ISSUE, actor=actor, note=letter.requirement)
    _on_case_timeline(
        letter,
        Action.SUPERVISE,
        actor,
        letter.requirement,
        {"letter": letter.number, "reply_by": deadline.isoformat()},
    )
    return letter


def _reaches(user: User, unit: Unit) -> bool:
    return user.unit is not None and unit.path.startswith(user.unit.path)


@transaction.atomic
def letter_reply(*, letter: SupervisionLetter, actor: User, text: str) -> SupervisionLetter:
    """The unit's reply: what it did. After the deadline it counts as answered late."""
    if not text.strip():
        raise SupervisionError(_("Reply: say what your unit did."), "reply")
    letter = _lock(letter)
    if actor.role != Role.HANDLER or not _reaches(actor, letter.unit):
        raise SupervisionError(_("Only the unit the letter is addressed to replies to it."))
    if letter.status != LetterStatus.OPEN:
        raise SupervisionError(_("This letter is not waiting for a reply."))
    letter.reply = text.strip()
    letter.replied_by, letter.replied_at = actor, recorded_now()
    letter.status = LetterStatus.REPLIED
    letter.save(update_fields=["reply", "replied_by", "replied_at", "status"])
    _event(letter, SupervisionAction.REPLY, actor=actor, note=letter.reply)
    return letter


@transaction.atomic
def letter_send_back(*, letter: SupervisionLetter, actor: User, note: str) -> SupervisionLetter:
    """The reply does not do: the unit must reply again (late if the deadline has passed)."""
    if actor.role not in ISSUERS:
        raise SupervisionError(_("Your role may not do this."))
    if not note.strip():
        raise SupervisionError(_("Note: say what the reply lacks."), "note")
    letter = _lock(letter)
    if letter.status != LetterStatus.REPLIED:
        raise SupervisionError(_("Only a replied letter can be sent back."))
    letter.status = LetterStatus.OPEN
    letter.replied_at = None
    letter.save(update_fields=["status", "replied_at"])
    _event(letter, SupervisionAction.SEND_BACK, actor=actor, note=note.strip())
    return letter


@transaction.atomic
def letter_close(*, letter: SupervisionLetter, actor: User, note: str = "") -> SupervisionLetter:
    if actor.role not in ISSUERS:
        raise SupervisionError(_("Your role may not do this."))
    letter = _lock(letter)
    if letter.status != LetterStatus.REPLIED:
        raise SupervisionError(_("A letter is closed once the unit has replied."))
    letter.status = LetterStatus.CLOSED
    letter.closed_by, letter.closed_at = actor, recorded_now()
    letter.save(update_fields=["status", "closed_by", "closed_at"])
    _event(letter, SupervisionAction.CLOSE, actor=actor, note=note.strip())
    return letter


def unit_leaders(unit: Unit) -> list[User]:
    """The leaders of the unit: those of the nearest unit on its path up that has any."""
    parts = [p for p in unit.path.split("/") if p]
    for depth in range(len(parts), 0, -1):
        path = "/" + "/".join(parts[:depth]) + "/"
        leaders = list(User.objects.filter(is_active=True, role=Role.LEADER, unit__path=path))
        if leaders:
            return leaders
    return []


@transaction.atomic
def letter_remind(*, letter: SupervisionLetter) -> bool:
    """Remind the unit once before the deadline; False when it was reminded already or no
    longer waits for the reply (another worker, or a reply meanwhile)."""
    letter = _lock(letter)
    if letter.reminded_at is not None or letter.status != LetterStatus.OPEN:
        return False
    letter.reminded_at = recorded_now()
    letter.save(update_fields=["reminded_at"])
    note = _("Reply due by %(date)s.") % {"date": letter.deadline.isoformat()}
    _event(letter, SupervisionAction.REMIND, actor=None, note=note)
    return True


@transaction.atomic
def letter_escalate(*, letter: SupervisionLetter) -> bool:
    """Escalate a late letter once to the unit's leaders (their queue shows it)."""
    letter = _lock(letter)
    if letter.escalated_at is not None or not letter.is_late():
        return False
    letter.escalated_at = recorded_now()
    letter.save(update_fields=["escalated_at"])
    leaders = "、".join(str(leader) for leader in unit_leaders(letter.unit)) or "—"
    note = _("No reply by %(date)s; escalated to the leaders: %(leaders)s.") % {
        "date": letter.deadline.isoformat(),
        "leaders": leaders,
    }
    _event(letter, SupervisionAction.ESCALATE, actor=None, note=note)
    return True


# --- Leaders' instructions ------------------------------------------------------------------


@transaction.atomic
def instruction_give(
    *, subject: Model, actor: User, text: str, unit: Unit | None = None
) -> LeaderInstruction:
    if actor.role not in INSTRUCTORS:
        raise SupervisionError(_("Only leaders give instructions."))
    _check_subject(subject)
    if not text.strip():
        raise SupervisionError(_("Instruction: write the instruction."), "text")
    unit = _check_unit(subject, unit)
    instruction = LeaderInstruction.objects.create(
        unit=unit,
        text=text.strip(),
        leader=actor,
        given_at=recorded_now(),
        **_subject_fields(subject),
    )
    _event(instruction, SupervisionAction.INSTRUCT, actor=actor, note=instruction.text)
    _on_case_timeline(instruction, Action.INSTRUCT, actor, instruction.text, {})
    return instruction


@transaction.atomic
def instruction_acknowledge(
    *, instruction: LeaderInstruction, actor: User, text: str
) -> LeaderInstruction:
    """The unit says how it carries the instruction out; it leaves the unit's queue."""
    if not text.strip():
        raise SupervisionError(
            _("How it is carried out: say what your unit will do."), "acknowledgement"
        )
    instruction = (
        LeaderInstruction.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=instruction.pk)
    )
    if actor.role != Role.HANDLER or not _reaches(actor, instruction.unit):
        raise SupervisionError(_("Only the unit the instruction is addressed to acknowledges it."))
    if instruction.acknowledged_at is not None:
        raise SupervisionError(_("This instruction was already acknowledged."))
    instruction.acknowledgement = text.strip()
    instruction.acknowledged_by, instruction.acknowledged_at = actor, recorded_now()
    instruction.save(update_fields=["acknowledgement", "acknowledged_by", "acknowledged_at"])
    _event(
        instruction, SupervisionAction.ACKNOWLEDGE, actor=actor, note=instruction.acknowledgement
    )
    return instruction
