"""Batch actions on several cases at once: assign, merge, add a note.

A batch is the single action repeated: each case is looked up among those the actor may see,
the action must be open to the actor on that case now (cases.actions, as on the case page),
and the same service does the work in its own transaction. So a batch is atomic per case:
what one case refuses changes nothing on it and does not stop the others. The result says,
case by case, what was done and what was refused, and why."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from civicdesk.accounts.models import Unit, User
from civicdesk.cases import services
from civicdesk.cases.actions import available_actions
from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Action

# The most cases one batch may hold: a page of a queue, with room to spare.
MAX_BATCH = 100

ASSIGN, MERGE, NOTE = "assign", "merge", "note"
BATCH_ACTIONS = (ASSIGN, MERGE, NOTE)


class BatchError(services.CaseInputError):
    """A batch that cannot start at all (nothing chosen, too many cases); translated."""


@dataclass(frozen=True)
class BatchResult:
    case_id: int
    # Empty when the case is not one the actor may see: its code is not theirs to learn.
    tracking_code: str
    done: bool
    message: str


def _route_action(case: Case, actor: User) -> str | None:
    """Assign a case without a unit, reassign one with a unit: whichever is open now."""
    actions = available_actions(case, actor)
    return next((action for action in (Action.ASSIGN, Action.REASSIGN) if action in actions), None)


def _one(case: Case, actor: User, action: str, work: Callable[[Case], str]) -> BatchResult:
    if action not in available_actions(case, actor):
        return BatchResult(case.pk, case.tracking_code, False, _refusal(case))
    try:
        message = work(case)
    except services.CaseActionError as error:
        return BatchResult(case.pk, case.tracking_code, False, str(error))
    return BatchResult(case.pk, case.tracking_code, True, message)


def _refusal(case: Case) -> str:
    return _("This action is not possible on this case now (%(status)s).") % {
        "status": case.get_status_display()
    }


def _cases(actor: User, case_ids: Sequence[int]) -> list[Case | int]:
    """The cases in the order asked for; the id alone for one the actor may not see."""
    if not case_ids:
        raise BatchError(_("Cases: choose at least one case."), "cases")
    if len(case_ids) > MAX_BATCH:
        raise BatchError(
            _("Cases: at most %(max)d cases at once; %(count)d were chosen.")
            % {"max": MAX_BATCH, "count": len(case_ids)},
            "cases",
        )
    found = Case.objects.visible_to(actor).select_related("unit").in_bulk(list(case_ids))
    return [found.get(case_id, case_id) for case_id in dict.fromkeys(case_ids)]


def _run(actor: User, case_ids: Sequence[int], step: Callable[[Case], BatchResult]):
    results = []
    for case in _cases(actor, case_ids):
        if isinstance(case, int):
            results.append(BatchResult(case, "", False, _("No such case among those you see.")))
        else:
            results.append(step(case))
    return results


def batch_assign(
    *, case_ids: Sequence[int], unit: Unit, actor: User, note: str = ""
) -> list[BatchResult]:
    """Route each case to `unit` (assign, or reassign one that has a unit)."""

    def step(case: Case) -> BatchResult:
        action = _route_action(case, actor)
        if action is None:
            return BatchResult(case.pk, case.tracking_code, False, _refusal(case))

        def work(locked: Case) -> str:
            services.case_assign(case=locked, unit=unit, actor=actor, note=note)
            return _("Assigned to %(unit)s.") % {"unit": unit}

        return _one(case, actor, action, work)

    return _run(actor, case_ids, step)


def batch_merge(
    *, case_ids: Sequence[int], into: Case, actor: User, note: str = ""
) -> list[BatchResult]:
    """Merge each case into `into` as a duplicate of it."""

    def work(case: Case) -> str:
        services.case_merge(case=case, into=into, actor=actor, note=note)
        return _("Merged into %(code)s.") % {"code": into.tracking_code}

    return _run(actor, case_ids, lambda case: _one(case, actor, Action.MERGE, work))


def batch_note(*, case_ids: Sequence[int], text: str, actor: User) -> list[BatchResult]:
    """Add the same internal note to each case."""

    def work(case: Case) -> str:
        services.case_add_note(case=case, actor=actor, text=text)
        return _("Note added.")

    return _run(actor, case_ids, lambda case: _one(case, actor, Action.NOTE, work))
