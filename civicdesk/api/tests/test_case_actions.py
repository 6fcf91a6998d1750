"""The case actions added beside the original ones: reopen, recategorize, answer templates and
the triage hints, each with the pages' scope."""

import pytest

from civicdesk.cases.models import Category, ReplyTemplate
from civicdesk.cases.services import case_answer, case_assign

CASES = "/api/v1/cases"


@pytest.fixture
def answered(make_case, supervisor, handler, units):
    case = case_assign(case=make_case(), unit=units["urban"], actor=supervisor)
    return case_answer(case=case, actor=handler, text="已修复")


@pytest.mark.django_db
def test_supervisor_reopens_an_answered_case(api_as, supervisor, answered):
    response = api_as(supervisor).post(f"{CASES}/{answered.pk}/reopen", {"reason": "仍然不亮"})

    assert response.status_code == 200, response.content
    answered.refresh_from_db()
    assert (answered.status, answered.reopen_count) == ("reopened", 1)
    assert answered.events.last().note == "仍然不亮"


@pytest.mark.django_db
def test_handler_may_not_reopen_and_nothing_changes(api_as, handler, answered):
    response = api_as(handler).post(f"{CASES}/{answered.pk}/reopen", {"reason": "x"})

    assert response.status_code == 403
    answered.refresh_from_db()
    assert answered.status == "answered"


@pytest.mark.django_db
def test_reopen_needs_a_reason(api_as, supervisor, answered):
    response = api_as(supervisor).post(f"{CASES}/{answered.pk}/reopen", {})

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("reason: ")


@pytest.mark.django_db
def test_recategorize_sets_and_clears_the_category(api_as, clerk, make_case):
    case = make_case()
    client = api_as(clerk)

    response = client.post(f"{CASES}/{case.pk}/recategorize", {"category": "street-lights"})
    assert response.status_code == 200, response.content
    assert response.json()["category"]["code"] == "street-lights"
    assert client.post(f"{CASES}/{case.pk}/recategorize", {"category": None}).status_code == 200
    case.refresh_from_db()
    assert case.category is None
    event = case.events.filter(action="recategorize").first()
    assert event.data["to"] == Category.objects.get(code="street-lights").name

    unknown = client.post(f"{CASES}/{case.pk}/recategorize", {"category": "moon"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "category"


@pytest.mark.django_db
def test_recategorize_other_units_case_is_404(api_as, other_handler, make_case, supervisor, units):
    case = case_assign(case=make_case(), unit=units["urban"], actor=supervisor)

    response = api_as(other_handler).post(f"{CASES}/{case.pk}/recategorize", {"category": None})

    assert response.status_code == 404


@pytest.mark.django_db
def test_reply_templates_of_the_case_and_caller_units(api_as, handler, units, answered):
    ReplyTemplate.objects.create(title="通用", body="您好")
    ReplyTemplate.objects.create(title="城管", body="城管答复", unit=units["urban"])
    ReplyTemplate.objects.create(title="市场", body="市场答复", unit=units["market"])

    body = api_as(handler).get(f"{CASES}/{answered.pk}/reply-templates").json()

    assert sorted(t["title"] for t in body) == ["城管", "通用"]


@pytest.mark.django_db
def test_triage_hints_list_similar_open_cases_the_caller_sees(api_as, clerk, make_case):
    from civicdesk.problems.services import reset_open_case_index

    reset_open_case_index()
    case = make_case(description="东苑小区3号楼门口路灯不亮已经一周")
    twin = make_case(description="东苑小区3号楼门口的路灯一周都不亮")

    body = api_as(clerk).get(f"{CASES}/{case.pk}/triage").json()

    assert body["suggestion"] is None
    assert [item["id"] for item in body["similar"]] == [twin.pk]
    assert body["similar"][0]["score"] > 0


@pytest.mark.django_db
def test_open_filter_is_the_inboxs_default_view(api_as, supervisor, answered, make_case):
    waiting = make_case()
    client = api_as(supervisor)

    assert [c["id"] for c in client.get(CASES, open="true").json()["items"]] == [waiting.pk]
    assert [c["id"] for c in client.get(CASES, open="false").json()["items"]] == [answered.pk]


@pytest.mark.django_db
def test_same_problem_cases_for_an_opinion_being_recorded(
    api_as, clerk, handler, supervisor, discipline, units, make_case
):
    from civicdesk.problems.services import reset_open_case_index

    reset_open_case_index()
    lamp = make_case(description="东苑小区3号楼门口路灯不亮已经一周")
    make_case(description="幸福社区垃圾桶满了没有人清运")
    typed = {"description": "东苑小区3号楼门口的路灯一周都不亮", "address": "东苑小区"}

    response = api_as(clerk).get(f"{CASES}/same-problem", **typed)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [lamp.pk]
    assert response.json()[0]["tracking_code"] == lamp.tracking_code
    case_assign(case=lamp, unit=units["market"], actor=supervisor)
    assert api_as(handler).get(f"{CASES}/same-problem", **typed).json() == []  # not theirs
    assert api_as(clerk).get(f"{CASES}/same-problem", description="").status_code == 422
    assert api_as(clerk).get(f"{CASES}/same-problem").status_code == 422
    assert api_as(discipline).get(f"{CASES}/same-problem", **typed).status_code == 403
