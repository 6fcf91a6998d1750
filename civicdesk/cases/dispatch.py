"""Dispatch (派单): which unit a case goes to, who within it, and which units co-handle it.

Automatic dispatch. Every new case is matched against the dispatch rules (data: category and
area → unit). The rule that matches most closely wins: one that matches both the category and
the area before one that matches either; a rule for the case's own category before one for
its aspect; the longer place name found in the address; then the lower priority number. With
no rule, the unit suggestion of the triage model (problems.suggestions) decides, but only a
sure one: a suggestion that "needs a person" leaves the case for the clerks
(CIVICDESK_DISPATCH_BY_SUGGESTION turns this fallback off). An automatic dispatch is an
ordinary assignment by the system, on the timeline with what decided it, and staff can undo it
while the unit has not taken the case on: it goes back to the clerks as received.

Within the unit the case may be given to a person (承办人) or a grid (网格) of that unit.

Co-handling (主办/协办). The case's unit is the lead unit. Any number of other units co-handle
it: each gives its part of the answer (on the internal timeline); the lead unit gives the
official answer, and cannot before every part is in. When a part will not come (the unit has
nothing to add, or cannot answer in time) a supervisor waives it, with a reason that stays on
the timeline; the lead unit may then answer. That keeps the rule simple for units (answer when
the parts are in) and puts the exception where the responsibility is.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.accounts.models import Role, Unit, User
from civicdesk.cases.models import Area, Case, CaseEvent, Category, CoUnit, DispatchRule, Grid
from civicdesk.cases.services import (
    CaseActionError,
    CaseInputError,
    _check_reach,
    _check_transition,
    _lock,
    _record,
    _settle_clock,
    actor_kind,
    case_assign,
)
from civicdesk.cases.workflow import WORK_ORDER_ACTIONS, Action, Status

# Timeline events that route a case (the last one tells whether an automatic dispatch stands).
ROUTING_ACTIONS = (
    Action.ASSIGN,
    Action.REASSIGN,
    Action.RETURN,
    Action.UNDO_DISPATCH,
    Action.ARBITRATE,
)


# --- Automatic dispatch -------------------------------------------------------------------


def _where(case: Case) -> str:
    """The text that says where the problem is: the address, or else the description."""
    submission = case.submission
    return submission.address or submission.description


def _rank(rule: DispatchRule, case: Case, where: str) -> tuple | None:
    """How closely a rule matches the case (higher is closer), or None if it does not."""
    category_score = 0
    if rule.category_id is not None:
        if case.category_id == rule.category_id:
            category_score = 2
        elif case.category is not None and case.category.parent_id == rule.category_id:
            category_score = 1
        else:
            return None
    place_length = 0
    if rule.area_id is not None:
        place_length = rule.area.longest_place_in(where)
        if not place_length:
            return None
    matched = (rule.category_id is not None) + (rule.area_id is not None)
    return (matched, category_score, place_length, -rule.priority, -rule.pk)


def matching_rule(case: Case, rules: list[DispatchRule] | None = None) -> DispatchRule | None:
    """The active rule that matches the case most closely, if any."""
    if rules is None:
        rules = active_rules()
    where = _where(case)
    ranked = [(rank, rule) for rule in rules if (rank := _rank(rule, case, where)) is not None]
    return max(ranked, key=lambda item: item[0])[1] if ranked else None


def active_rules() -> list[DispatchRule]:
    return list(DispatchRule.objects.active().select_related("area", "unit", "category"))


def _sure_suggestion(case: Case):
    """The triage model's unit for the case, when it is sure (no "needs a person")."""
    if not settings.CIVICDESK_DISPATCH_BY_SUGGESTION:
        return None
    # problems builds on cases (its models point at cases): imported when used.
    from civicdesk.problems.suggestions import suggest_unit

    suggestion = suggest_unit(case)
    if suggestion is None or suggestion.needs_review or not suggestion.unit.is_active:
        return None
    return suggestion


def auto_dispatch(case: Case, rules: list[DispatchRule] | None = None) -> Case:
    """Dispatch a new case by the rules, else by a sure suggestion; called as it is opened,
    inside its transaction. A case nothing decides stays received, for the clerks."""
    rule = matching_rule(case, rules)
    if rule is not None:
        data = {"automatic": "rule", "rule": rule.pk, "rule_name": str(rule)}
        return case_assign(case=case, unit=rule.unit, actor=None, data=data)
    suggestion = _sure_suggestion(case)
    if suggestion is not None:
        data = {"automatic": "suggestion", "confidence": round(suggestion.confidence, 4)}
        return case_assign(case=case, unit=suggestion.unit, actor=None, data=data)
    return case


def auto_dispatch_many(cases: list[Case]) -> list[Case]:
    """auto_dispatch for a batch of new cases (imports), reading the rules once."""
    rules = active_rules()
    if not rules and not settings.CIVICDESK_DISPATCH_BY_SUGGESTION:
        return cases
    return [auto_dispatch(case, rules) for case in cases]


def last_routing_event(case: Case) -> CaseEvent | None:
    return case.events.filter(action__in=ROUTING_ACTIONS).order_by("-created_at", "-id").first()


def is_automatic(event: CaseEvent | None) -> bool:
    return (
        event is not None
        and event.action in (Action.ASSIGN, Action.REASSIGN)
        and event.actor_id is None
        and bool(event.data.get("automatic"))
    )


def may_undo(case: Case) -> bool:
    """Whether the case stands as an automatic dispatch put it, not yet taken on."""
    return case.status == Status.ASSIGNED and is_automatic(last_routing_event(case))


@transaction.atomic
def undo_dispatch(*, case: Case, actor: User, note: str = "") -> Case:
    """Take back an automatic dispatch the unit has not taken on: the case is received again
    and waits for the clerks. Co-handling units added meanwhile are removed with it, unless
    one already gave its part."""
    case = _lock(case)
    kind = actor_kind(actor)
    if not is_automatic(last_routing_event(case)):
        raise CaseActionError(
            _("Only an automatic dispatch can be undone; reassign the case instead.")
        )
    from_status = case.status
    case.status = _check_transition(case, Action.UNDO_DISPATCH, kind)
    if case.co_units.exclude(part_at__isnull=True).exists():
        raise CaseActionError(
            _("A co-handling unit already gave its part: reassign the case instead.")
        )
    _settle_clock(case, actor, _("The automatic dispatch was undone."))
    undone = case.unit
    removed = list(case.co_units.values_list("unit__code", flat=True))
    case.co_units.all().delete()
    case.unit = case.assignee = case.grid = None
    case.assigned_at = None
    case.save(update_fields=["status", "unit", "assignee", "grid", "assigned_at"])
    _record(
        case,
        Action.UNDO_DISPATCH,
        actor=actor,
        kind=kind,
        from_status=from_status,
        note=note.strip(),
        unit=undone,
        is_public=True,
        data={"co_units_removed": removed},
    )
    return case


# --- Within the unit ----------------------------------------------------------------------


def _check_work_order(case: Case, action: str, actor: User | None) -> str:
    rule = WORK_ORDER_ACTIONS[action]
    kind = actor_kind(actor)
    if kind not in rule.actors:
        raise CaseActionError(_("Your role may not do this."))
    if case.status not in rule.statuses:
        raise CaseActionError(_("This is possible only while a unit is working on the case."))
    return kind


def people_of(unit: Unit):
    """Who a case of this unit may be given to: active handlers of the unit or below it."""
    return User.objects.filter(
        is_active=True, role=Role.HANDLER, unit__path__startswith=unit.path
    ).order_by("unit__path", "display_name", "username")


def grids_of(unit: Unit):
    return Grid.objects.filter(is_active=True, unit__path__startswith=unit.path)


@transaction.atomic
def give(
    *, case: Case, actor: User, assignee: User | None, grid: Grid | None, note: str = ""
) -> Case:
    """Give the case, within its unit, to a person or a grid (or back to the whole unit)."""
    case = _lock(case)
    kind = _check_work_order(case, Action.GIVE, actor)
    _check_reach(case, actor)
    if assignee is not None and not people_of(case.unit).filter(pk=assignee.pk).exists():
        raise CaseInputError(
            _("Person: %(person)s is not a handler of %(unit)s.")
            % {"person": assignee, "unit": case.unit},
            "assignee",
        )
    if grid is not None and not grids_of(case.unit).filter(pk=grid.pk).exists():
        raise CaseInputError(
            _("Grid: %(grid)s is not an active grid of %(unit)s.")
            % {"grid": grid, "unit": case.unit},
            "grid",
        )
    if (case.assignee_id, case.grid_id) == (
        assignee.pk if assignee else None,
        grid.pk if grid else None,
    ):
        raise CaseInputError(_("The case is already given to them."), "assignee")
    case.assignee, case.grid = assignee, grid
    case.save(update_fields=["assignee", "grid"])
    _record(
        case,
        Action.GIVE,
        actor=actor,
        kind=kind,
        note=note.strip(),
        unit=case.unit,
        data={
            "assignee": str(assignee) if assignee else "",
            "grid": str(grid) if grid else "",
        },
    )
    return case


# --- Co-handling units --------------------------------------------------------------------


@transaction.atomic
def add_co_unit(*, case: Case, unit: Unit | None, actor: User) -> CoUnit:
    case = _lock(case)
    kind = _check_work_order(case, Action.ADD_CO_UNIT, actor)
    if unit is None:
        raise CaseInputError(_("Co-handling unit: choose a unit."), "unit")
    if not unit.is_active:
        raise CaseInputError(_("Co-handling unit: that unit is no longer active."), "unit")
    if unit.pk == case.unit_id:
        raise CaseInputError(
            _("Co-handling unit: %(unit)s is the lead unit of this case; choose another unit.")
            % {"unit": unit},
            "unit",
        )
    if case.co_units.filter(unit=unit).exists():
        raise CaseInputError(
            _("Co-handling unit: %(unit)s already co-handles this case.") % {"unit": unit},
            "unit",
        )
    co_unit = CoUnit.objects.create(case=case, unit=unit, added_by=actor)
    _record(case, Action.ADD_CO_UNIT, actor=actor, kind=kind, unit=unit, is_public=True)
    return co_unit


def _co_unit(case: Case, unit: Unit | None) -> CoUnit:
    found = case.co_units.select_for_update().filter(unit=unit).first() if unit else None
    if found is None:
        raise CaseInputError(_("Co-handling unit: that unit does not co-handle this case."), "unit")
    return found


@transaction.atomic
def remove_co_unit(*, case: Case, unit: Unit | None, actor: User, note: str = "") -> Case:
    case = _lock(case)
    kind = _check_work_order(case, Action.REMOVE_CO_UNIT, actor)
    co_unit = _co_unit(case, unit)
    if co_unit.part_at is not None:
        raise CaseInputError(
            _("Co-handling unit: %(unit)s already gave its part; it stays on the case.")
            % {"unit": unit},
            "unit",
        )
    co_unit.delete()
    _record(
        case,
        Action.REMOVE_CO_UNIT,
        actor=actor,
        kind=kind,
        note=note.strip(),
        unit=unit,
        is_public=True,
    )
    return case


def co_units_in_reach(case: Case, user: User):
    """The co-handling units whose part this user may give: handlers their own unit's (and
    below), supervisors and administrators any."""
    rows = case.co_units.select_related("unit")
    if user.sees_all_cases:
        return rows
    if user.unit is None:
        return rows.none()
    return rows.filter(unit__path__startswith=user.unit.path)


@transaction.atomic
def give_part(*, case: Case, actor: User, text: str, unit: Unit | None = None) -> CoUnit:
    """A co-handling unit's part of the answer (internal; the lead unit builds on it). Given
    again, the later part replaces the earlier one; the timeline keeps both."""
    if not text.strip():
        raise CaseInputError(_("Part of the answer: write what your unit found and did."), "text")
    case = _lock(case)
    kind = _check_work_order(case, Action.PART, actor)
    reachable = co_units_in_reach(case, actor)
    if unit is None:
        candidates = list(reachable[:2])
        if len(candidates) != 1:
            raise CaseInputError(_("Co-handling unit: say for which unit."), "unit")
        co_unit = candidates[0]
    else:
        co_unit = reachable.filter(unit=unit).first()
        if co_unit is None:
            raise CaseInputError(
                _("Co-handling unit: that unit does not co-handle this case."), "unit"
            )
    co_unit.part = text.strip()
    co_unit.part_by, co_unit.part_at = actor, timezone.now()
    co_unit.save(update_fields=["part", "part_by", "part_at"])
    _record(case, Action.PART, actor=actor, kind=kind, note=co_unit.part, unit=co_unit.unit)
    return co_unit


@transaction.atomic
def waive_part(*, case: Case, unit: Unit | None, actor: User, reason: str) -> CoUnit:
    """A supervisor lets the lead unit answer without this co-handling unit's part."""
    if not reason.strip():
        raise CaseInputError(
            _("Reason: say why the lead unit may answer without this part."), "reason"
        )
    case = _lock(case)
    kind = _check_work_order(case, Action.WAIVE_PART, actor)
    co_unit = _co_unit(case, unit)
    if co_unit.is_in:
        raise CaseInputError(
            _("Co-handling unit: the part of %(unit)s is already in.") % {"unit": unit}, "unit"
        )
    co_unit.waived_reason = reason.strip()
    co_unit.waived_by, co_unit.waived_at = actor, timezone.now()
    co_unit.save(update_fields=["waived_reason", "waived_by", "waived_at"])
    _record(case, Action.WAIVE_PART, actor=actor, kind=kind, note=co_unit.waived_reason, unit=unit)
    return co_unit


# --- Dispatch rules -----------------------------------------------------------------------


@transaction.atomic
def rule_create(
    *,
    category: Category | None,
    area: Area | None,
    unit: Unit | None,
    actor: User,
    priority: int = 100,
) -> DispatchRule:
    """A new dispatch rule: category and/or area → unit, applied to cases opened from now."""
    if category is None and area is None:
        raise CaseInputError(_("Category: a rule names a category, an area or both."), "category")
    if unit is None or not unit.is_active:
        raise CaseInputError(_("Unit: choose an active unit."), "unit")
    same = DispatchRule.objects.filter(is_active=True, category=category, area=area).first()
    if same is not None:
        raise CaseInputError(
            _("Category: an active rule already covers this category and area: %(rule)s.")
            % {"rule": same},
            "category",
        )
    return DispatchRule.objects.create(
        category=category, area=area, unit=unit, priority=priority, created_by=actor
    )


@transaction.atomic
def rule_deactivate(*, rule: DispatchRule, actor: User) -> DispatchRule:
    """Switch a rule off; it stays listed, as the timelines of the cases it dispatched name it."""
    rule.is_active = False
    rule.save(update_fields=["is_active"])
    return rule
