"""Every public text of a case hides the personal data known anywhere in the case: the status
page, the published answers, the home page, the JSON API and Open311 alike."""

import json

import pytest

from civicdesk.cases.models import Case
from civicdesk.cases.services import case_add_note, case_answer, case_assign, case_reopen
from civicdesk.core.redaction import MARKER, redact

pytestmark = pytest.mark.django_db

# The reporter introduces himself in the description; the answer names him without a cue.
DESCRIPTION = "我叫王小明，住在幸福小区3单元502室，楼道路灯坏了一个月，楼上张大伟先生也反映过。"
ANSWER = "已联系王小明（电话13812345678），并告知张大伟：3单元502室门口的路灯已于今日修复。"


@pytest.fixture
def answered(make_case, units, supervisor, handler):
    def make(answer: str = ANSWER, **fields) -> Case:
        fields.setdefault("description", DESCRIPTION)
        fields.setdefault("consent_publish", True)
        case = case_assign(case=make_case(**fields), unit=units["urban"], actor=supervisor)
        return case_answer(case=case, actor=handler, text=answer)

    return make


def public_texts(client, case: Case) -> dict[str, str]:
    """What each public rendering shows of the case."""
    api = client.get(f"/api/v1/submissions/{case.tracking_code}")
    open311 = client.get(f"/open311/v2/requests/{case.tracking_code}.json")
    for response in (api, open311):
        assert response.status_code == 200, response.content[:300]
    return {
        "status page": client.get(f"/track/{case.tracking_code}/").content.decode(),
        "answered": client.get("/answered/").content.decode(),
        "home": client.get("/").content.decode(),
        "api": json.dumps(api.json(), ensure_ascii=False),
        "open311": json.dumps(open311.json(), ensure_ascii=False),
    }


def test_the_answer_is_not_redacted_by_the_description_alone():
    # What the defect was: a name the redactor finds in the description (after 我叫) is hidden
    # there, but an answer naming the same person without a cue kept it.
    assert "王小明" not in redact(DESCRIPTION)
    assert "王小明" in redact(ANSWER)
    assert "张大伟" in redact(ANSWER)


def test_names_and_flats_found_in_the_description_are_hidden_in_every_public_answer(
    citizen, answered
):
    case = answered()

    for where, text in public_texts(citizen, case).items():
        for secret in ("王小明", "张大伟", "13812345678", "502"):
            assert secret not in text, (where, secret)
    page = citizen.get(f"/track/{case.tracking_code}/").content.decode()
    assert f"已联系{MARKER}（电话{MARKER}）" in page
    assert "路灯已于今日修复" in page


def test_the_reporters_own_name_field_is_hidden_in_a_dispute(citizen, answered):
    case = answered(answer="路灯已修复。", contact_name="赵文静")
    case_reopen(case=case, actor=None, reason="赵文静家门口的灯还是不亮，住2栋1201。")

    status = citizen.get(f"/track/{case.tracking_code}/").content.decode()
    api = citizen.get(f"/api/v1/submissions/{case.tracking_code}").json()

    assert "家门口的灯还是不亮" in status
    for text in (status, json.dumps(api, ensure_ascii=False)):
        assert "赵文静" not in text
        assert "1201" not in text


def test_a_name_introduced_in_a_dispute_is_hidden_in_the_next_answer(
    citizen, answered, handler, supervisor
):
    case = answered(answer="路灯已修复。", description="小区路灯不亮")
    case_reopen(case=case, actor=None, reason="没有修好，我是刘德明，请再看看。")
    case_answer(case=Case.objects.get(pk=case.pk), actor=handler, text="已再次联系刘德明并修复。")

    for where, text in public_texts(citizen, case).items():
        assert "刘德明" not in text, where


def test_a_name_found_in_an_internal_note_is_hidden_in_public_texts(citizen, answered, supervisor):
    case = answered(answer="已电话联系孙丽华，路灯已修复。", description="小区路灯不亮")
    # The note is never public, but the name it gives is known for the case from then on.
    case_add_note(case=case, actor=supervisor, text="联系人孙丽华，多次来电")

    for where, text in public_texts(citizen, case).items():
        assert "孙丽华" not in text, where
        assert "内部" not in text


def test_public_search_does_not_find_a_case_by_a_name_hidden_in_its_answer(citizen, answered):
    answered()

    assert list(citizen.get("/answered/", {"q": "路灯"}).context["page"])
    assert list(citizen.get("/answered/", {"q": "王小明"}).context["page"]) == []
    assert list(citizen.get("/answered/", {"q": "张大伟"}).context["page"]) == []


def test_the_answered_list_reads_each_cases_notes_in_one_query(
    citizen, answered, django_assert_max_num_queries
):
    for _ in range(3):
        answered()
    with django_assert_max_num_queries(8) as few:
        citizen.get("/answered/")
    for _ in range(4):
        answered()
    with django_assert_max_num_queries(len(few)):
        citizen.get("/answered/")
