"""Every action against every status, through the services: allowed moves and refused ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases import services
from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.workflow import OPEN_STATUSES, TRANSITIONS, Action, Status, allowed_actions


def drive(case: Case, status: str, *, supervisor, handler, units, make_case) -> Case:
    """Bring a fresh case to the given status by the normal route."""
    if status == Status.RECEIVED:
        return case
    if status == Status.MERGED:
        return services.case_merge(case=case, into=make_case(), actor=supervisor)
    case = services.case_assign(case=case, unit=units["urban"], actor=supervisor)
    if status == Status.ASSIGNED:
        return case
    if status == Status.RETURNED:
        return services.case_return(case=case, actor=handler, reason="不属于本单位")
    if status == Status.IN_PROGRESS:
        return services.case_accept(case=case, actor=handler)
    case = services.case_answer(case=case, actor=handler, text="已处理")
    if status == Status.ANSWERED:
        return case
    if status == Status.CLOSED:
        return services.case_close(case=case, actor=supervisor)
    if status == Status.REOPENED:
        return services.case_reopen(case=case, actor=None, reason="问题仍在")
    raise AssertionError(status)


def attempt(action: str, case: Case, *, supervisor, handler, units, make_case) -> Case:
    """Run an action with an actor whose role is allowed to take it."""
    if action in {Action.ASSIGN, Action.REASSIGN}:
        return services.case_assign(case=case, unit=units["urban-window"], actor=supervisor)
    if action == Action.ACCEPT:
        return services.case_accept(case=case, actor=supervisor)
    if action == Action.RETURN:
        return services.case_return(case=case, actor=supervisor, reason="不属于")
    if action == Action.ANSWER:
        return services.case_answer(case=case, actor=supervisor, text="答复")
    if action == Action.CLOSE:
        return services.case_close(case=case, actor=supervisor)
    if action == Action.REOPEN:
        return services.case_reopen(case=case, actor=supervisor, reason="重新处理")
    if action == Action.MERGE:
        return services.case_merge(case=case, into=make_case(), actor=supervisor)
    raise AssertionError(action)


def expected_action(action: str, status: str) -> str:
    """case_assign routes a case: an assign from a routed status is recorded as a reassign."""
    if action in {Action.ASSIGN, Action.REASSIGN}:
        return Action.REASSIGN if status in TRANSITIONS[Action.REASSIGN].sources else Action.ASSIGN
    return action


# Undoing a dispatch and arbitrating need more than a status (an automatic dispatch, a case
# returned too often): test_dispatch.py and test_returns.py take them through every case.
GUARDED = {Action.REASSIGN, Action.UNDO_DISPATCH, Action.ARBITRATE}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a not in GUARDED])
def test_every_action_from_every_status(action, status, supervisor, handler, units, make_case):
    people = {"supervisor": supervisor, "handler": handler, "units": units, "make_case": make_case}
    case = drive(make_case(), status, **people)
    assert case.status == status
    events_before = CaseEvent.objects.filter(case=case).count()
    action = expected_action(action, status)
    transition = TRANSITIONS[action]
    if status in transition.sources:
        case = attempt(action, case, **people)
        assert case.status == transition.target
        last = CaseEvent.objects.filter(case=case).last()
        assert last.action == action
        assert (last.from_status, last.to_status) == (status, transition.target)
        assert last.actor == supervisor
    else:
        with pytest.raises(services.CaseActionError):
            attempt(action, case, **people)
        case.refresh_from_db()
        assert case.status == status
        assert CaseEvent.objects.filter(case=case).count() == events_before


def test_allowed_actions_follow_the_table():
    assert allowed_actions(Status.RECEIVED, "clerk") == [
        Action.ASSIGN,
        Action.MERGE,
        Action.NOTE,
        Action.RECATEGORIZE,
    ]
    assert Action.ANSWER in allowed_actions(Status.IN_PROGRESS, "handler")
    assert allowed_actions(Status.IN_PROGRESS, "leader") == []
    assert allowed_actions(Status.MERGED, "supervisor") == []


def test_leader_cannot_act(leader, make_case, units):
    case = make_case()
    with pytest.raises(services.CaseActionError):
        services.case_assign(case=case, unit=units["urban"], actor=leader)
    with pytest.raises(services.CaseActionError):
        services.case_add_note(case=case, actor=leader, text="看看")


def test_clerk_assigns_but_cannot_answer_or_reassign(clerk, make_case, units):
    case = services.case_assign(case=make_case(), unit=units["urban"], actor=clerk)
    with pytest.raises(services.CaseActionError):
        services.case_answer(case=case, actor=clerk, text="答复")
    with pytest.raises(services.CaseActionError):
        services.case_assign(case=case, unit=units["market"], actor=clerk)


def test_handler_cannot_route_or_touch_another_units_case(
    handler, other_handler, supervisor, make_case, units
):
    case = make_case()
    with pytest.raises(services.CaseActionError):
        services.case_assign(case=case, unit=units["urban"], actor=handler)
    case = services.case_assign(case=case, unit=units["urban-window"], actor=supervisor)
    with pytest.raises(services.CaseActionError, match="another unit"):
        services.case_answer(case=case, actor=other_handler, text="不是我的")
    # The handler of the parent unit reaches the window below it.
    case = services.case_answer(case=case, actor=handler, text="窗口已整改")
    assert case.status == Status.ANSWERED


def test_return_clears_the_unit_and_needs_a_reason(handler, supervisor, make_case, units):
    case = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    with pytest.raises(services.CaseActionError):
        services.case_return(case=case, actor=handler, reason="  ")
    case = services.case_return(case=case, actor=handler, reason="应由市场监管局处理")
    assert case.unit is None
    event = case.events.last()
    assert event.unit == units["urban"] and not event.is_public


def test_answer_sets_first_response_and_public_event(handler, supervisor, make_case, units):
    case = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    case = services.case_answer(case=case, actor=handler, text=" 路灯已修复。 ")
    assert case.answer == "路灯已修复。"
    assert case.first_responded_at == case.answered_at
    assert case.events.public().last().note == "路灯已修复。"


def test_the_answer_event_is_dated_when_the_case_was_answered(
    handler, supervisor, make_case, units
):
    """The timeline and the case agree to the microsecond, however long the save took."""
    case = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    case = services.case_answer(case=case, actor=handler, text="路灯已修复。")
    case.refresh_from_db()
    assert case.events.get(action=Action.ANSWER).created_at == case.answered_at


def test_merge_refuses_self_and_merged_targets_and_moves_duplicates(supervisor, make_case):
    first, second, third = make_case(), make_case(), make_case()
    with pytest.raises(services.CaseActionError):
        services.case_merge(case=first, into=first, actor=supervisor)
    services.case_merge(case=first, into=second, actor=supervisor)
    with pytest.raises(services.CaseActionError, match="itself merged"):
        services.case_merge(case=third, into=first, actor=supervisor)
    services.case_merge(case=second, into=third, actor=supervisor)
    first.refresh_from_db()
    assert first.merged_into == third


def test_reporter_may_reopen_only_within_the_window(
    settings, handler, supervisor, make_case, units
):
    settings.CIVICDESK_REOPEN_DAYS = 30
    case = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    case = services.case_answer(case=case, actor=handler, text="已处理")
    Case.objects.filter(pk=case.pk).update(answered_at=timezone.now() - timedelta(days=31))
    case.refresh_from_db()
    with pytest.raises(services.CaseActionError, match="30"):
        services.case_reopen(case=case, actor=None, reason="没修好")
    # A supervisor is not bound by the window.
    case = services.case_reopen(case=case, actor=supervisor, reason="复查未解决")
    assert case.status == Status.REOPENED and case.reopen_count == 1


def test_escalate_and_notes_do_not_change_status(supervisor, make_case):
    case = make_case()
    services.case_add_note(case=case, actor=supervisor, text="内部备注")
    case = services.case_escalate(case=case, actor=supervisor, note="超期未分派")
    assert case.status == Status.RECEIVED and case.escalated_at is not None
    assert [e.is_public for e in case.events.all()] == [True, False, False]


def test_events_are_append_only(make_case):
    event = make_case().events.first()
    event.note = "篡改"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_deadlines_are_working_days_after_receipt(make_case, settings):
    # Friday 2026-09-18 10:00 in Shanghai; 2026-09-20 (Sunday) is a make-up working day.
    from zoneinfo import ZoneInfo

    received = timezone.datetime(2026, 9, 18, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    case = make_case(received_at=received)
    local = lambda value: timezone.localtime(value, ZoneInfo("Asia/Shanghai"))  # noqa: E731
    assert local(case.assign_due_at).date().isoformat() == "2026-09-20"
    assert local(case.response_due_at).date().isoformat() == "2026-09-22"
    assert (local(case.assign_due_at).hour, local(case.assign_due_at).minute) == (23, 59)


def test_overdue_queryset_follows_the_stage(make_case, supervisor, handler, units):
    now = timezone.now()
    late_routing = make_case()
    Case.objects.filter(pk=late_routing.pk).update(assign_due_at=now - timedelta(hours=1))
    answered_late = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    services.case_answer(case=answered_late, actor=handler, text="好")
    Case.objects.filter(pk=answered_late.pk).update(answer_due_at=now - timedelta(days=1))
    no_response = services.case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    Case.objects.filter(pk=no_response.pk).update(response_due_at=now - timedelta(minutes=5))
    on_time = make_case()
    overdue = set(Case.objects.overdue(now))
    assert overdue == {late_routing, no_response}
    assert on_time not in overdue
    assert all(case.status in OPEN_STATUSES for case in overdue)
    late_routing.refresh_from_db()
    assert late_routing.is_overdue(now)
