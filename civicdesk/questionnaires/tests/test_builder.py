"""The builder through HTTP: who may build, who may read, who gets a 404; versions and status."""

import pytest

from civicdesk.conftest import login
from civicdesk.questionnaires.models import (
    EventAction,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Status,
)
from civicdesk.questionnaires.tests.conftest import (
    build_enterprise_questionnaire,
    web_answers,
)

BASE = "/staff/questionnaires/"


def _new_questionnaire(client, **data) -> Questionnaire:
    payload = {"title": "营商环境企业问卷", "audience": "enterprises", "low_score_threshold": 2}
    response = client.post(f"{BASE}new/", payload | data)
    assert response.status_code == 302, response.content.decode()
    questionnaire = Questionnaire.objects.latest("pk")
    assert response["Location"] == f"{BASE}{questionnaire.pk}/"
    return questionnaire


@pytest.mark.parametrize("persona", ["clerk", "supervisor", "admin_user"])
def test_builders_create_add_questions_reorder_preview_and_publish(request, persona):
    user = request.getfixturevalue(persona)
    client = login(user)
    assert client.get(BASE).status_code == 200
    questionnaire = _new_questionnaire(client, slug="yingshang", one_response_per_enterprise="on")
    version = questionnaire.draft_version()
    section = version.sections.get()
    assert (version.number, questionnaire.status) == (1, Status.DRAFT)

    add = f"{BASE}{questionnaire.pk}/questions/new/"
    assert client.get(f"{add}?section={section.pk}").status_code == 200
    for data in [
        {"kind": "enterprise", "text": "企业信息", "required": "on"},
        {"kind": "single", "text": "企业类型", "required": "on",
         "options": "国有企业\n民营企业\n\n外资企业\n"},
        {"kind": "scale", "text": "您对政务服务的总体满意度", "scale_min": "1", "scale_max": "5",
         "scale_min_label": "非常不满意", "scale_max_label": "非常满意"},
    ]:  # fmt: skip
        response = client.post(add, {"section": section.pk, **data})
        assert response.status_code == 302, response.content.decode()
    q1, q2, q3 = version.ordered_questions()
    assert [q.code for q in (q1, q2, q3)] == ["Q1", "Q2", "Q3"]
    assert [o.label for o in q2.options.all()] == ["国有企业", "民营企业", "外资企业"]
    assert (q3.scale_min, q3.scale_max, q3.scale_max_label) == (1, 5, "非常满意")

    # Reordering with htmx answers with the new structure only.
    moved = client.post(
        f"{BASE}{questionnaire.pk}/questions/{q3.pk}/move/",
        {"direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    assert moved.status_code == 200
    body = moved.content.decode()
    assert body.lstrip().startswith('<div id="structure">')
    assert body.index("您对政务服务的总体满意度") < body.index("企业类型")
    assert [q.code for q in version.ordered_questions()] == ["Q1", "Q3", "Q2"]

    builder = client.get(f"{BASE}{questionnaire.pk}/").content.decode()
    assert "Publish version 1" in builder and "Version 1 (draft)" in builder
    assert f"/questions/{q2.pk}/move/" in builder and "Add a question" in builder

    preview = client.get(f"{BASE}{questionnaire.pk}/preview/")
    assert preview.status_code == 200
    assert "nothing you enter here is saved" in preview.content.decode()
    assert client.get("/q/yingshang/").status_code == 404  # a draft is not public

    response = client.post(f"{BASE}{questionnaire.pk}/publish/")
    assert response.status_code == 302
    questionnaire.refresh_from_db()
    version.refresh_from_db()
    assert questionnaire.status == Status.PUBLISHED
    assert questionnaire.current_version == version and version.is_frozen
    assert version.published_by == user
    page = client.get("/q/yingshang/")
    assert page.status_code == 200 and "企业类型" in page.content.decode()
    actions = list(questionnaire.events.values_list("action", flat=True))
    assert actions == [EventAction.CREATE, EventAction.PUBLISH]


def test_leader_reads_but_changes_nothing(leader, survey):
    client = login(leader)
    for url in [BASE, f"{BASE}{survey.pk}/", f"{BASE}{survey.pk}/preview/",
                f"{BASE}{survey.pk}/results/", f"{BASE}{survey.pk}/export.xlsx"]:  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert "New questionnaire" not in client.get(BASE).content.decode()
    q1 = Question.objects.get(version=survey.current_version, code="Q1")
    for url, data in [
        (f"{BASE}new/", {"title": "x", "audience": "citizens", "low_score_threshold": 2}),
        (f"{BASE}{survey.pk}/settings/", {"title": "改名"}),
        (f"{BASE}{survey.pk}/close/", {}),
        (f"{BASE}{survey.pk}/new-version/", {}),
        (f"{BASE}{survey.pk}/questions/{q1.pk}/delete/", {}),
        (f"{BASE}{survey.pk}/paper/", {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    for url in [f"{BASE}new/", f"{BASE}{survey.pk}/paper/", f"{BASE}{survey.pk}/settings/"]:
        assert client.get(url).status_code == 404, url
    survey.refresh_from_db()
    assert (survey.title, survey.status) == ("营商环境企业问卷", Status.PUBLISHED)
    assert Questionnaire.objects.count() == 1 and survey.versions.count() == 1


@pytest.mark.parametrize("persona", ["handler", "other_handler"])
def test_handlers_get_404_everywhere(request, persona, survey):
    client = login(request.getfixturevalue(persona))
    for url in [BASE, f"{BASE}new/", f"{BASE}{survey.pk}/", f"{BASE}{survey.pk}/results/",
                f"{BASE}{survey.pk}/export.xlsx", f"{BASE}{survey.pk}/preview/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"{BASE}{survey.pk}/close/").status_code == 404
    survey.refresh_from_db()
    assert survey.status == Status.PUBLISHED


def test_anonymous_staff_pages_ask_for_login(citizen, survey):
    response = citizen.get(f"{BASE}{survey.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert citizen.post(f"{BASE}{survey.pk}/close/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == Status.PUBLISHED


def test_editing_a_published_questionnaire_makes_a_new_version(clerk, citizen, survey):
    client = login(clerk)
    v1 = survey.current_version
    assert citizen.post("/q/yingshang/", web_answers(survey)).status_code == 302
    first = Response.objects.get()
    assert first.version == v1

    # The published version cannot change.
    q2 = Question.objects.get(version=v1, code="Q2")
    response = client.post(
        f"{BASE}{survey.pk}/questions/{q2.pk}/",
        {"section": q2.section_id, "kind": "single", "text": "改过的题目", "options": "甲\n乙"},
    )
    assert response.status_code == 400
    assert "start a new version" in response.content.decode()
    q2.refresh_from_db()
    assert q2.text == "企业类型" and q2.options.count() == 4

    assert client.post(f"{BASE}{survey.pk}/new-version/").status_code == 302
    v2 = survey.draft_version()
    assert v2.number == 2 and not v2.is_frozen
    assert [(q.code, q.text) for q in v2.ordered_questions()] == [
        (q.code, q.text) for q in v1.ordered_questions()
    ]
    new_q2 = Question.objects.get(version=v2, code="Q2")
    assert new_q2.pk != q2.pk and [o.label for o in new_q2.options.all()] == [
        o.label for o in q2.options.all()
    ]
    # A second draft at the same time is refused.
    client.post(f"{BASE}{survey.pk}/new-version/")
    assert survey.versions.count() == 2

    response = client.post(
        f"{BASE}{survey.pk}/questions/{new_q2.pk}/",
        {"section": new_q2.section_id, "kind": "single", "text": "企业登记注册类型",
         "required": "on", "code": "Q2", "options": "国有\n民营\n外资"},
    )  # fmt: skip
    assert response.status_code == 302
    # Until v2 is published, people still answer v1.
    assert "企业登记注册类型" not in citizen.get("/q/yingshang/").content.decode()
    assert client.post(f"{BASE}{survey.pk}/publish/").status_code == 302
    survey.refresh_from_db()
    assert survey.current_version == v2
    assert "企业登记注册类型" in citizen.get("/q/yingshang/").content.decode()
    first.refresh_from_db()
    assert first.version == v1
    assert first.answers.filter(question=q2).get().option.label == "民营企业"
    results = client.get(f"{BASE}{survey.pk}/results/?version=1").content.decode()
    assert "1 response to version 1" in results


def test_status_close_and_open_again(clerk, citizen, survey):
    client = login(clerk)
    assert client.post(f"{BASE}{survey.pk}/close/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == Status.CLOSED
    assert citizen.get("/q/yingshang/").status_code == 410
    response = citizen.post("/q/yingshang/", web_answers(survey))
    assert response.status_code == 410 and Response.objects.count() == 0
    # Closing twice is not a transition.
    page = client.post(f"{BASE}{survey.pk}/close/", follow=True).content.decode()
    assert "cannot become" in page
    assert client.post(f"{BASE}{survey.pk}/reopen/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == Status.PUBLISHED
    assert citizen.get("/q/yingshang/").status_code == 200


def test_draft_cannot_be_closed_and_first_draft_cannot_be_discarded(clerk):
    questionnaire = build_enterprise_questionnaire(clerk, publish=False)
    client = login(clerk)
    page = client.post(f"{BASE}{questionnaire.pk}/close/", follow=True).content.decode()
    assert "cannot become" in page
    page = client.post(f"{BASE}{questionnaire.pk}/discard/", follow=True).content.decode()
    assert "The first version cannot be discarded." in page
    questionnaire.refresh_from_db()
    assert questionnaire.status == Status.DRAFT
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1


def test_bad_questions_are_refused_with_reasons(clerk):
    questionnaire = build_enterprise_questionnaire(clerk, publish=False)
    client = login(clerk)
    section = questionnaire.draft_version().sections.first()
    add = f"{BASE}{questionnaire.pk}/questions/new/"
    cases = [
        ({"kind": "single", "text": "企业类型", "options": "只有一个"}, "at least two options"),
        ({"kind": "multiple", "text": "困难", "options": "融资难\n融资难"}, "repeated: 融资难"),
        ({"kind": "scale", "text": "满意度", "scale_min": "5", "scale_max": "1"},
         "above the lowest"),
        ({"kind": "scale", "text": "满意度", "scale_min": "1", "scale_max": "50"}, "less than or"),
        ({"kind": "enterprise", "text": "再填一次企业"}, "at most one enterprise identity"),
        ({"kind": "text", "text": "建议", "code": "Q1"}, "has the code Q1"),
        ({"kind": "riddle", "text": "？"}, "Select a valid choice"),
    ]  # fmt: skip
    before = Question.objects.count()
    for data, message in cases:
        response = client.post(add, {"section": section.pk, **data})
        assert response.status_code == 400, data
        assert message in response.content.decode(), (data, message)
    assert Question.objects.count() == before


def test_publishing_needs_questions_and_identity_for_one_per_enterprise(clerk):
    client = login(clerk)
    questionnaire = _new_questionnaire(client, one_response_per_enterprise="on")
    page = client.post(f"{BASE}{questionnaire.pk}/publish/", follow=True).content.decode()
    assert "Add at least one question." in page
    assert "needs a required enterprise identity question" in page
    questionnaire.refresh_from_db()
    assert questionnaire.status == Status.DRAFT and questionnaire.current_version is None


def test_settings_threshold_and_address(clerk, survey):
    client = login(clerk)
    url = f"{BASE}{survey.pk}/settings/"
    data = {
        "title": "2025年营商环境企业问卷",
        "audience": "enterprises",
        "low_score_threshold": 3,
        "one_response_per_enterprise": "on",
        "slug": "other",
    }
    assert client.post(url, data).status_code == 302
    survey.refresh_from_db()
    # The address of a published questionnaire stays: its links are printed.
    assert (survey.title, survey.low_score_threshold, survey.slug) == (
        "2025年营商环境企业问卷", 3, "yingshang"
    )  # fmt: skip
    assert client.post(url, data | {"low_score_threshold": 11}).status_code == 400
    survey.refresh_from_db()
    assert survey.low_score_threshold == 3


def test_sections_deleting_and_discarding_a_draft(clerk, survey):
    client = login(clerk)
    url = f"{BASE}{survey.pk}"
    assert client.get(f"{url}/settings/").status_code == 200
    # Published: no section can be added to the answered version.
    page = client.post(f"{url}/sections/", {"title": "其他"}, follow=True).content.decode()
    assert "start a new version" in page
    assert survey.current_version.sections.count() == 3

    client.post(f"{url}/new-version/")
    draft = survey.draft_version()
    assert client.post(f"{url}/sections/", {"title": "其他"}).status_code == 302
    new = draft.sections.get(title="其他")
    assert client.get(f"{url}/sections/{new.pk}/").status_code == 200
    assert client.post(f"{url}/sections/{new.pk}/", {"title": "补充"}).status_code == 302
    new.refresh_from_db()
    assert new.title == "补充"
    moved = client.post(f"{url}/sections/{new.pk}/move/", {"direction": "up"})
    assert moved.status_code == 302
    assert [s.title for s in draft.sections.all()] == [
        "企业基本情况",
        "满意度评价",
        "补充",
        "意见建议",
    ]
    # A section with questions stays until they are gone.
    advice = draft.sections.get(title="意见建议")
    page = client.post(f"{url}/sections/{advice.pk}/delete/", follow=True).content.decode()
    assert "Move or delete the questions of this section" in page
    q6 = draft.questions.get(code="Q6")
    assert client.post(f"{url}/questions/{q6.pk}/delete/").status_code == 302
    assert client.post(f"{url}/sections/{advice.pk}/delete/").status_code == 302
    assert draft.sections.count() == 3 and draft.questions.count() == 5
    # The published version kept everything.
    assert survey.current_version.questions.count() == 6

    assert client.post(f"{url}/discard/").status_code == 302
    assert survey.versions.count() == 1 and survey.draft_version() is None
    actions = list(survey.events.values_list("action", flat=True))
    assert actions[-2:] == [EventAction.DRAFT, EventAction.DISCARD]
