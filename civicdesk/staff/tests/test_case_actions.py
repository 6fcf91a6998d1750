# ruff: noqa: RUF001 - Chinese test text uses full-width punctuation on purpose
"""Every action of the staff case page, posted as the page's forms post it."""

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case, CaseEvent, Category, ReplyTemplate
from civicdesk.cases.services import case_accept, case_answer, case_merge
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login

from .conftest import case_url

pytestmark = pytest.mark.django_db


def snapshot(case: Case) -> dict:
    """Everything an action may change, to check that a refused one changed nothing."""
    fresh = Case.objects.get(pk=case.pk)
    fields = [
        "status",
        "unit_id",
        "category_id",
        "merged_into_id",
        "answer",
        "reopen_count",
        "assigned_at",
        "first_responded_at",
        "answered_at",
        "closed_at",
        "escalated_at",
    ]
    return {name: getattr(fresh, name) for name in fields} | {"events": fresh.events.count()}


def last_event(case: Case) -> CaseEvent:
    return case.events.order_by("-id").first()


def errors_of(response, action: str) -> str:
    form = response.context["forms"][action]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- Assign and reassign ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "clerk"])
def test_assign(request, role, make_case, units):
    user = request.getfixturevalue(role)
    case = make_case()

    response = login(user).post(
        case_url(case, "assign"), {"assign-unit": units["urban"].pk, "assign-note": "请城管处理"}
    )

    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert case.unit == units["urban"]
    assert case.assigned_at is not None
    event = last_event(case)
    assert (event.action, event.actor, event.unit) == (Action.ASSIGN, user, units["urban"])
    assert (event.from_status, event.to_status) == (Status.RECEIVED, Status.ASSIGNED)
    assert event.note == "请城管处理"
    assert event.is_public


def test_assign_success_message_is_shown(supervisor, make_case, units):
    case = make_case()

    response = login(supervisor).post(
        case_url(case, "assign"), {"assign-unit": units["urban"].pk}, follow=True
    )

    assert "Assigned to 城市管理局." in response.content.decode()


def test_assign_to_an_inactive_unit_is_refused(supervisor, make_case, units):
    units["market"].is_active = False
    units["market"].save()
    case = make_case()
    before = snapshot(case)

    response = login(supervisor).post(case_url(case, "assign"), {"assign-unit": units["market"].pk})

    assert response.status_code == 400
    assert response.context["forms"]["assign"].errors["unit"]
    assert snapshot(case) == before


def test_supervisor_reassigns(supervisor, assigned, units):
    case = assigned("urban")

    response = login(supervisor).post(
        case_url(case, "reassign"), {"reassign-unit": units["market"].pk, "reassign-note": "改派"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert case.unit == units["market"]
    event = last_event(case)
    assert (event.action, event.from_status, event.note) == (
        Action.REASSIGN,
        Status.ASSIGNED,
        "改派",
    )


def test_reassign_of_a_case_in_progress(supervisor, handler, assigned, units):
    case = case_accept(case=assigned("urban"), actor=handler)

    response = login(supervisor).post(
        case_url(case, "reassign"), {"reassign-unit": units["market"].pk}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.unit) == (Status.ASSIGNED, units["market"])


def test_reassign_to_the_same_unit_is_409_with_message(supervisor, assigned, units):
    case = assigned("urban")
    before = snapshot(case)

    response = login(supervisor).post(
        case_url(case, "reassign"), {"reassign-unit": units["urban"].pk}
    )

    assert response.status_code == 409
    assert "already with this unit" in errors_of(response, "reassign")
    assert "already with this unit" in response.content.decode()
    assert snapshot(case) == before


@pytest.mark.parametrize("action", ["reassign", "assign"])
def test_clerk_cannot_reassign(clerk, assigned, units, action):
    case = assigned("urban")
    before = snapshot(case)

    response = login(clerk).post(case_url(case, action), {f"{action}-unit": units["market"].pk})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_clerk_sees_no_reassign_form(clerk, assigned):
    response = login(clerk).get(case_url(assigned("urban")))

    assert "reassign" not in response.context["forms"]
    assert 'id="reassign-form"' not in response.content.decode()


# --- Accept and return ------------------------------------------------------------------------


def test_handler_accepts(handler, assigned):
    case = assigned("urban-window")

    response = login(handler).post(case_url(case, "accept"), {"accept-note": "已收到，正在处理"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.first_responded_at is not None
    event = last_event(case)
    assert (event.action, event.actor, event.note, event.is_public) == (
        Action.ACCEPT,
        handler,
        "已收到，正在处理",
        True,
    )


def test_accepting_twice_is_409_and_keeps_the_first_response_time(handler, assigned):
    case = assigned("urban")
    client = login(handler)
    client.post(case_url(case, "accept"), {"accept-note": ""})
    before = snapshot(case)

    response = client.post(case_url(case, "accept"), {"accept-note": ""})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_handler_returns_a_case(handler, assigned, units):
    case = assigned("urban")

    response = login(handler).post(case_url(case, "return"), {"return-reason": "属于市场监管"})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    case.refresh_from_db()
    assert case.status == Status.RETURNED
    assert case.unit is None
    event = last_event(case)
    assert (event.action, event.note, event.unit) == (Action.RETURN, "属于市场监管", units["urban"])
    # The case has left the handler's reach.
    assert login(handler).get(case_url(case)).status_code == 404


def test_supervisor_returning_stays_on_the_case(supervisor, assigned):
    case = assigned("urban")

    response = login(supervisor).post(case_url(case, "return"), {"return-reason": "派错了"})

    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.status == Status.RETURNED


def test_returned_case_can_be_assigned_again(supervisor, handler, assigned, units):
    case = assigned("urban")
    login(handler).post(case_url(case, "return"), {"return-reason": "不是我们的"})

    response = login(supervisor).post(case_url(case, "assign"), {"assign-unit": units["market"].pk})

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.unit) == (Status.ASSIGNED, units["market"])


def test_return_needs_a_reason(handler, assigned):
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(case_url(case, "return"), {"return-reason": "   "})

    assert response.status_code == 400
    assert response.context["forms"]["return"].errors["reason"]
    assert snapshot(case) == before


# --- Answer with a reply template -------------------------------------------------------------


def test_answer_with_reply_template(handler, assigned, units, citizen):
    template = ReplyTemplate.objects.create(
        unit=units["urban"], title="路灯", body="您反映的路灯问题已修复。"
    )
    case = assigned("urban")
    client = login(handler)

    filled = client.get("/staff/reply-template/", {"case": case.pk, "answer-template": template.pk})
    assert filled.status_code == 200
    assert 'name="answer-text"' in filled.content.decode()
    assert "您反映的路灯问题已修复。" in filled.content.decode()

    response = client.post(
        case_url(case, "answer"),
        {"answer-template": template.pk, "answer-text": "您反映的路灯问题已修复。 "},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.answer == "您反映的路灯问题已修复。"
    assert case.answered_at is not None
    assert case.first_responded_at is not None
    event = last_event(case)
    assert (event.action, event.is_public, event.note) == (
        Action.ANSWER,
        True,
        "您反映的路灯问题已修复。",
    )
    public = citizen.get(f"/track/{case.tracking_code}/").content.decode()
    assert "您反映的路灯问题已修复。" in public


def test_unknown_reply_template_is_404(handler, assigned):
    case = assigned("urban")

    response = login(handler).get(
        "/staff/reply-template/", {"case": case.pk, "answer-template": "999999"}
    )

    assert response.status_code == 404


def test_answer_with_a_template_of_another_unit_is_refused(handler, assigned, units):
    other = ReplyTemplate.objects.create(unit=units["market"], title="市场", body="市场答复")
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(
        case_url(case, "answer"), {"answer-template": other.pk, "answer-text": "我的答复"}
    )

    assert response.status_code == 400
    assert response.context["forms"]["answer"].errors["template"]
    assert "我的答复" in response.content.decode()
    assert snapshot(case) == before


def test_answer_needs_text(handler, assigned):
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(case_url(case, "answer"), {"answer-text": "  "})

    assert response.status_code == 400
    assert response.context["forms"]["answer"].errors["text"]
    assert snapshot(case) == before


# --- Close and reopen -------------------------------------------------------------------------


@pytest.fixture
def answered(assigned, handler):
    def make(**fields) -> Case:
        return case_answer(case=assigned("urban", **fields), actor=handler, text="已修复")

    return make


def test_supervisor_closes(supervisor, answered):
    case = answered()

    response = login(supervisor).post(case_url(case, "close"), {"close-note": "办结"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_at is not None
    assert (last_event(case).action, last_event(case).is_public) == (Action.CLOSE, True)


def test_handler_cannot_close(handler, answered):
    case = answered()
    before = snapshot(case)

    response = login(handler).post(case_url(case, "close"), {"close-note": ""})

    assert response.status_code == 409
    assert snapshot(case) == before


@pytest.mark.parametrize("close_first", [False, True])
def test_supervisor_reopens(supervisor, answered, close_first):
    case = answered()
    client = login(supervisor)
    if close_first:
        client.post(case_url(case, "close"), {"close-note": ""})

    response = client.post(case_url(case, "reopen"), {"reopen-reason": "回访不满意"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    assert case.reopen_count == 1
    assert case.closed_at is None
    event = last_event(case)
    assert (event.action, event.actor, event.note) == (Action.REOPEN, supervisor, "回访不满意")


def test_reopen_needs_a_reason(supervisor, answered):
    case = answered()
    before = snapshot(case)

    response = login(supervisor).post(case_url(case, "reopen"), {"reopen-reason": ""})

    assert response.status_code == 400
    assert snapshot(case) == before


def test_reopened_case_is_answered_again(supervisor, handler, answered):
    case = answered()
    login(supervisor).post(case_url(case, "reopen"), {"reopen-reason": "没修好"})

    response = login(handler).post(case_url(case, "answer"), {"answer-text": "已再次维修"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.answer) == (Status.ANSWERED, "已再次维修")


# --- Merge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [str, str.lower, lambda code: code.replace("-", "")])
def test_merge_into_another_case(clerk, make_case, spelling):
    survivor, duplicate = make_case(), make_case()

    response = login(clerk).post(
        case_url(duplicate, "merge"),
        {"merge-into": spelling(survivor.tracking_code), "merge-note": "同一路灯"},
    )

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.merged_into == survivor
    event = last_event(duplicate)
    assert (event.action, event.data, event.is_public) == (
        Action.MERGE,
        {"into": survivor.tracking_code},
        True,
    )
    note = last_event(survivor)
    assert (note.action, note.is_public) == (Action.NOTE, False)
    assert duplicate.tracking_code in note.note


def test_merged_case_offers_no_actions(supervisor, clerk, make_case):
    survivor, duplicate = make_case(), make_case()
    case_merge(case=duplicate, into=survivor, actor=clerk)

    response = login(supervisor).get(case_url(duplicate))

    assert response.context["forms"] == {}
    assert survivor.tracking_code in response.content.decode()


def test_merge_into_itself_is_409_with_message(clerk, make_case):
    case = make_case()
    before = snapshot(case)

    response = login(clerk).post(case_url(case, "merge"), {"merge-into": case.tracking_code})

    assert response.status_code == 409
    assert "cannot be merged into itself" in errors_of(response, "merge")
    assert "cannot be merged into itself" in response.content.decode()
    assert snapshot(case) == before


def test_merge_into_a_merged_case_is_409_with_message(clerk, make_case):
    survivor, merged, case = make_case(), make_case(), make_case()
    case_merge(case=merged, into=survivor, actor=clerk)
    before = snapshot(case)

    response = login(clerk).post(case_url(case, "merge"), {"merge-into": merged.tracking_code})

    assert response.status_code == 409
    assert f"Case {merged.tracking_code} is itself merged" in errors_of(response, "merge")
    assert snapshot(case) == before


@pytest.mark.parametrize("code", ["2345-6789-AB", "nonsense"])
def test_merge_into_an_unknown_code_is_400(clerk, make_case, code):
    case = make_case()
    before = snapshot(case)

    response = login(clerk).post(
        case_url(case, "merge"), {"merge-into": code, "merge-note": "我写的备注"}
    )

    assert response.status_code == 400
    assert response.context["forms"]["merge"].errors["into"] == ["No case has this tracking code."]
    assert "我写的备注" in response.content.decode()
    assert snapshot(case) == before


def test_duplicates_follow_their_case_when_it_is_merged(clerk, make_case):
    first, second, survivor = make_case(), make_case(), make_case()
    case_merge(case=first, into=second, actor=clerk)

    login(clerk).post(case_url(second, "merge"), {"merge-into": survivor.tracking_code})

    first.refresh_from_db()
    assert first.merged_into == survivor


# --- Note, escalate, recategorize -------------------------------------------------------------


def test_internal_note(handler, assigned, citizen):
    case = assigned("urban")

    response = login(handler).post(case_url(case, "note"), {"note-text": "已电话联系，对方不在家"})

    assert response.status_code == 302
    event = last_event(case)
    assert (event.action, event.is_public, event.actor) == (Action.NOTE, False, handler)
    assert event.note == "已电话联系，对方不在家"
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert "已电话联系" in login(handler).get(case_url(case)).content.decode()
    assert "已电话联系" not in citizen.get(f"/track/{case.tracking_code}/").content.decode()


def test_note_needs_text(handler, assigned):
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(case_url(case, "note"), {"note-text": ""})

    assert response.status_code == 400
    assert snapshot(case) == before


def test_supervisor_escalates(supervisor, assigned):
    case = assigned("urban")

    response = login(supervisor).post(case_url(case, "escalate"), {"escalate-note": "超期未办"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.escalated_at is not None
    assert case.status == Status.ASSIGNED
    event = last_event(case)
    assert (event.action, event.note, event.is_public) == (Action.ESCALATE, "超期未办", False)
    assert "escalated" in login(supervisor).get("/staff/").content.decode()


def test_handler_cannot_escalate(handler, assigned):
    case = assigned("urban")
    before = snapshot(case)

    response = login(handler).post(case_url(case, "escalate"), {"escalate-note": "x"})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_escalating_a_closed_case_is_409_with_message(supervisor, answered):
    case = answered()
    login(supervisor).post(case_url(case, "close"), {"close-note": ""})
    before = snapshot(case)

    response = login(supervisor).post(case_url(case, "escalate"), {"escalate-note": "再催"})

    assert response.status_code == 409
    assert "Only open cases can be escalated." in errors_of(response, "escalate")
    assert snapshot(case) == before


def test_recategorize(handler, assigned):
    lights = Category.objects.get(code="street-lights")
    noise = Category.objects.get(code="noise")
    case = assigned("urban", category=lights)

    response = login(handler).post(
        case_url(case, "recategorize"), {"recategorize-category": noise.pk}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category == noise
    event = last_event(case)
    assert (event.action, event.data) == (
        Action.RECATEGORIZE,
        {"from": "路灯照明", "to": "噪音扰民"},
    )


def test_recategorize_to_none(supervisor, make_case):
    case = make_case(category=Category.objects.get(code="street-lights"))

    response = login(supervisor).post(case_url(case, "recategorize"), {"recategorize-category": ""})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category is None


# --- Refusals ---------------------------------------------------------------------------------


def test_invalid_transition_is_409_and_changes_nothing(supervisor, make_case):
    case = make_case()
    before = snapshot(case)

    response = login(supervisor).post(case_url(case, "close"), {"close-note": "直接办结"})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_invalid_transition_tells_why(supervisor, make_case):
    case = make_case()

    response = login(supervisor).post(case_url(case, "close"), {"close-note": "直接办结"})

    assert response.status_code == 409
    assert "This action is not possible on this case now." in response.content.decode()


def test_empty_required_field_keeps_the_other_fields(supervisor, make_case):
    case = make_case()
    before = snapshot(case)

    response = login(supervisor).post(
        case_url(case, "assign"), {"assign-unit": "", "assign-note": "请尽快派人查看"}
    )

    assert response.status_code == 400
    form = response.context["forms"]["assign"]
    assert form.errors["unit"]
    body = response.content.decode()
    assert "请尽快派人查看</textarea>" in body
    assert snapshot(case) == before


def test_stale_form_after_someone_else_acted(supervisor, handler, assigned):
    """Two people on one case: the second post finds the case moved on and changes nothing."""
    case = assigned("urban")
    login(handler).post(case_url(case, "answer"), {"answer-text": "已修复"})
    before = snapshot(case)

    response = login(handler).post(case_url(case, "accept"), {"accept-note": "收到"})

    assert response.status_code == 409
    assert snapshot(case) == before


def test_actions_need_post(supervisor, make_case):
    response = login(supervisor).get(case_url(make_case(), "assign"))

    assert response.status_code == 405


def test_deadlines_shown_on_the_case_page(supervisor, make_case):
    case = make_case()

    body = login(supervisor).get(case_url(case)).content.decode()

    local = timezone.localtime(case.answer_due_at)
    assert local.strftime("%Y-%m-%d %H:%M") in body
