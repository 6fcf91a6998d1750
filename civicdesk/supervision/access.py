"""Who sees and does what in supervision. Anything a user may not see is a 404.

- Supervisors and administrators issue letters, close them or send replies back; they see
  every letter and instruction.
- Leaders give instructions and see every letter (escalated letters are their queue).
- Clerks read every letter and instruction.
- Handlers see the letters and instructions addressed to their unit or a unit below it,
  reply to the letters and acknowledge the instructions.
The subject (case, problem or measure) is reached through its own access helper first.
"""

from django.db.models import Model
from django.http import Http404

from civicdesk.accounts.models import Role, User
from civicdesk.cases.access import get_case_for_user
from civicdesk.commitments.access import get_measure_for_user, get_problem_for_user
from civicdesk.supervision.models import LeaderInstruction, SupervisionLetter
from civicdesk.supervision.services import INSTRUCTORS, ISSUERS

READERS = frozenset({Role.CLERK, Role.HANDLER, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})


def can_read(user: User) -> bool:
    return user.is_authenticated and user.has_role(*READERS)


def can_issue(user: User) -> bool:
    return user.is_authenticated and user.has_role(*ISSUERS)


def can_instruct(user: User) -> bool:
    return user.is_authenticated and user.has_role(*INSTRUCTORS)


def _for_unit(queryset, user: User):
    if not can_read(user):
        return queryset.none()
    if user.role != Role.HANDLER:
        return queryset
    if user.unit is None:
        return queryset.none()
    return queryset.for_unit_subtree(user.unit)


def letters_visible_to(user: User):
    return _for_unit(SupervisionLetter.objects.all(), user)


def instructions_visible_to(user: User):
    return _for_unit(LeaderInstruction.objects.all(), user)


def _get(queryset, pk):
    try:
        return queryset.select_related("unit", "case", "problem", "measure").get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_letter_for_user(user: User, pk) -> SupervisionLetter:
    return _get(letters_visible_to(user), pk)


def get_instruction_for_user(user: User, pk) -> LeaderInstruction:
    return _get(instructions_visible_to(user), pk)


def may_reply(user: User, unit_path: str) -> bool:
    """Handlers of the unit addressed (or a unit above it)."""
    return (
        user.is_authenticated
        and user.has_role(Role.HANDLER)
        and user.unit is not None
        and unit_path.startswith(user.unit.path)
    )


def get_subject_for_user(user: User, kind: str, pk) -> Model:
    """The case, problem or measure a letter or instruction is to be about, as the user may
    see it (else 404)."""
    if kind == "case":
        return get_case_for_user(user, pk)
    if kind == "problem":
        return get_problem_for_user(user, pk)
    if kind == "measure":
        return get_measure_for_user(user, pk)
    raise Http404
