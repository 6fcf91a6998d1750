"""Following a report with its tracking code, disputing an answer, reading published answers."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case, CaseEvent
from civicdesk.cases.services import case_add_note, case_answer, case_assign, case_close
from civicdesk.cases.workflow import Action, Status
from civicdesk.conftest import login
from civicdesk.core.redaction import redact
from civicdesk.core.tracking import new_tracking_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(units, supervisor, handler):
    """answer(case, text) → the case routed to the urban unit and answered by its handler."""

    def do(case: Case, text: str = "路灯已于今日修复。") -> Case:
        case_assign(case=case, unit=units["urban"], actor=supervisor)
        return case_answer(case=case, actor=handler, text=text)

    return do


def unused_code() -> str:
    while True:
        code = new_tracking_code()
        if not Case.objects.filter(tracking_code=code).exists():
            return code


# --- The status page --------------------------------------------------------------------------


def test_status_page_shows_code_status_and_public_timeline(citizen, make_case, units, supervisor):
    case = make_case()
    case_assign(case=case, unit=units["urban"], actor=supervisor, note="已转城管处理")

    response = citizen.get(f"/track/{case.tracking_code}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<span id="tracking-code" class="code">{case.tracking_code}</span>' in body
    assert 'id="case-status" class="badge assigned"' in body
    assert "已转城管处理" in body
    assert "城市管理局" in body
    assert [e.action for e in response.context["events"]] == [Action.CREATE, Action.ASSIGN]


def test_internal_notes_never_appear_on_the_status_page(citizen, make_case, supervisor):
    case = make_case()
    case_add_note(case=case, actor=supervisor, text="内部备注：此人多次重复举报")

    response = citizen.get(f"/track/{case.tracking_code}/")

    assert response.status_code == 200
    assert "内部备注" not in response.content.decode()
    assert CaseEvent.objects.filter(case=case, action=Action.NOTE).exists()
    assert all(e.is_public for e in response.context["events"])


@pytest.mark.parametrize("variant", [str.lower, lambda code: code.replace("-", "")])
def test_non_canonical_code_redirects_to_canonical(citizen, make_case, variant):
    case = make_case()

    response = citizen.get(f"/track/{variant(case.tracking_code)}/")

    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.tracking_code}/"


def test_unknown_and_invalid_codes_get_the_same_404(citizen, make_case):
    case = make_case()
    broken = case.tracking_code[:-1] + ("2" if case.tracking_code[-1] != "2" else "3")

    unknown = citizen.get(f"/track/{unused_code()}/")
    invalid = citizen.get(f"/track/{broken}/")
    garbage = citizen.get("/track/not-a-code/")

    assert unknown.status_code == invalid.status_code == garbage.status_code == 404
    # Alike but for the CSRF token each page carries (new for every response).
    assert _without_csrf(unknown) == _without_csrf(invalid) == _without_csrf(garbage)


def _without_csrf(response) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", body)


def test_merged_case_points_to_the_surviving_case(citizen, make_case, clerk):
    from civicdesk.cases.services import case_merge

    survivor, duplicate = make_case(), make_case()
    case_merge(case=duplicate, into=survivor, actor=clerk)

    response = citizen.get(f"/track/{duplicate.tracking_code}/")

    assert response.status_code == 200
    assert f'href="/track/{survivor.tracking_code}/"' in response.content.decode()


# --- Look-up form -----------------------------------------------------------------------------


def test_lookup_redirects_when_found(citizen, make_case):
    case = make_case()

    response = citizen.get("/track/", {"code": f"  {case.tracking_code.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.tracking_code}/"


def test_lookup_of_unknown_code_is_a_404_with_form_error(citizen):
    response = citizen.get("/track/", {"code": unused_code()})

    assert response.status_code == 404
    assert "No report has this tracking code." in response.context["form"].errors["code"]
    assert "No report has this tracking code." in response.content.decode()


def test_lookup_of_invalid_code_is_a_404_with_form_error(citizen):
    response = citizen.get("/track/", {"code": "ABCD"})

    assert response.status_code == 404
    assert response.context["form"].errors["code"]


def test_lookup_page_without_code_is_empty_form(citizen):
    response = citizen.get("/track/")

    assert response.status_code == 200
    assert not response.context["form"].is_bound


# --- Answer and dispute -----------------------------------------------------------------------


def test_answer_is_shown_in_official_answer(citizen, make_case, answer):
    case = answer(make_case(), "路灯已于今日修复，感谢反映。")

    response = citizen.get(f"/track/{case.tracking_code}/")

    body = response.content.decode()
    assert '<div id="official-answer" class="answer">路灯已于今日修复，感谢反映。</div>' in body
    # "Not solved" is one of the satisfaction question's answers while it is open.
    assert 'id="followup-form"' in body
    assert 'id="dispute-form"' not in body


def test_open_case_has_no_dispute_form(citizen, make_case):
    case = make_case()

    response = citizen.get(f"/track/{case.tracking_code}/")

    assert 'id="official-answer"' not in response.content.decode()
    assert 'id="dispute-form"' not in response.content.decode()


def test_dispute_reopens_the_case(citizen, make_case, answer):
    case = answer(make_case())

    response = citizen.post(
        f"/track/{case.tracking_code}/dispute/", {"reason": "路灯还是不亮"}, follow=True
    )

    assert response.redirect_chain == [(f"/track/{case.tracking_code}/", 302)]
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    assert case.reopen_count == 1
    event = case.events.get(action=Action.REOPEN)
    assert event.actor is None
    assert event.actor_kind == "reporter"
    assert event.is_public
    assert event.note == "路灯还是不亮"
    assert "路灯还是不亮" in response.content.decode()


def test_dispute_of_a_closed_case_reopens_it(citizen, make_case, answer, supervisor):
    case = case_close(case=answer(make_case()), actor=supervisor)

    response = citizen.post(f"/track/{case.tracking_code}/dispute/", {"reason": "没修好"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    assert case.closed_at is None


def test_dispute_needs_a_reason(citizen, make_case, answer):
    case = answer(make_case())

    response = citizen.post(f"/track/{case.tracking_code}/dispute/", {"reason": "  "})

    assert response.status_code == 400
    assert response.context["dispute_form"].errors["reason"]
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert not case.events.filter(action=Action.REOPEN).exists()


def test_dispute_window_is_enforced(citizen, make_case, answer, settings):
    settings.CIVICDESK_REOPEN_DAYS = 30
    case = answer(make_case())
    Case.objects.filter(pk=case.pk).update(answered_at=timezone.now() - timedelta(days=31))

    response = citizen.post(f"/track/{case.tracking_code}/dispute/", {"reason": "还是坏的"})

    assert response.status_code == 400
    assert "30 days" in response.content.decode()
    assert "还是坏的" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.reopen_count == 0


def test_dispute_just_inside_the_window_is_accepted(citizen, make_case, answer, settings):
    settings.CIVICDESK_REOPEN_DAYS = 30
    case = answer(make_case())
    Case.objects.filter(pk=case.pk).update(answered_at=timezone.now() - timedelta(days=29))

    response = citizen.post(f"/track/{case.tracking_code}/dispute/", {"reason": "还是坏的"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_dispute_of_an_unanswered_case_is_refused(citizen, make_case):
    case = make_case()

    response = citizen.post(f"/track/{case.tracking_code}/dispute/", {"reason": "太慢了"})

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_dispute_of_unknown_code_is_404(citizen):
    response = citizen.post(f"/track/{unused_code()}/dispute/", {"reason": "x"})

    assert response.status_code == 404


def test_dispute_needs_post(citizen, make_case, answer):
    case = answer(make_case())

    assert citizen.get(f"/track/{case.tracking_code}/dispute/").status_code == 405


# --- Published answers ------------------------------------------------------------------------


def test_answered_lists_only_published_cases(citizen, make_case, answer, supervisor):
    answer(make_case(description="已答复同意公开", consent_publish=True))
    case_close(
        case=answer(make_case(description="已办结同意公开", consent_publish=True)),
        actor=supervisor,
    )
    answer(make_case(description="已答复不同意公开", consent_publish=False))
    make_case(description="未答复同意公开", consent_publish=True)

    response = citizen.get("/answered/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "已答复同意公开" in body
    assert "已办结同意公开" in body
    assert "已答复不同意公开" not in body
    assert "未答复同意公开" not in body


def test_answered_redacts_personal_data(citizen, make_case, answer):
    secrets = ["王小明", "13812345678", "330106199001011234", "浙A12345", "a@b.cn"]
    answer(
        make_case(
            description="我叫王小明，电话13812345678，身份证330106199001011234，"
            "车牌浙A12345，邮箱a@b.cn",
            consent_publish=True,
        )
    )

    response = citizen.get("/answered/")

    body = response.content.decode()
    assert "我叫" in body  # the description is there …
    for secret in secrets:  # … but none of the personal data
        assert secret not in body


def test_answered_redacts_the_reporters_name_wherever_it_appears(citizen, make_case, answer):
    description = "东苑路灯不亮，张伟家门口最暗"
    assert "张伟" in redact(description)  # not caught without knowing the name
    answer(
        make_case(description=description, contact_name="张伟", consent_publish=True),
        "已修复，感谢张伟的反映。",
    )

    response = citizen.get("/answered/")

    body = response.content.decode()
    assert "路灯不亮" in body
    assert "已修复" in body
    assert "张伟" not in body


def test_answered_redacts_the_reporters_phone_wherever_it_appears(citizen, make_case, answer):
    description = "东苑路灯不亮，有事打8765 4321找我"
    assert "8765 4321" in redact(description)  # not caught without knowing the number
    answer(make_case(description=description, contact_phone="8765 4321", consent_publish=True))

    response = citizen.get("/answered/")

    assert "8765 4321" not in response.content.decode()


def test_answered_search_matches_traditional_against_simplified(citizen, make_case, answer):
    answer(make_case(description="东苑路灯不亮", consent_publish=True))
    answer(make_case(description="垃圾桶满了没人清", consent_publish=True), "已安排清运。")

    response = citizen.get("/answered/", {"q": "路燈"})

    body = response.content.decode()
    assert "东苑路灯不亮" in body
    assert "垃圾桶" not in body


def test_answered_htmx_returns_only_the_list(citizen, make_case, answer):
    answer(make_case(description="东苑路灯不亮", consent_publish=True))
    answer(make_case(description="垃圾桶满了没人清", consent_publish=True), "已安排清运。")

    response = citizen.get("/answered/", {"q": "路灯"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "<form" not in body
    assert 'id="answered-list"' not in body
    assert body.count('<article class="card">') == 1
    assert "东苑路灯不亮" in body


def test_answered_full_page_has_the_search_form(citizen):
    response = citizen.get("/answered/")

    body = response.content.decode()
    assert "<html" in body
    assert 'id="answered-list"' in body


def test_handler_answer_through_staff_page_reaches_status_page(
    citizen, make_case, units, supervisor, handler
):
    case = make_case()
    case_assign(case=case, unit=units["urban"], actor=supervisor)

    staff = login(handler)
    response = staff.post(f"/staff/cases/{case.pk}/answer/", {"answer-text": "已派人维修"})
    assert response.status_code == 302

    page = citizen.get(f"/track/{case.tracking_code}/").content.decode()
    assert '<div id="official-answer" class="answer">已派人维修</div>' in page


@pytest.mark.parametrize("probe", ["13812345678", "王小明"])
def test_answered_search_does_not_match_hidden_personal_data(citizen, make_case, answer, probe):
    answer(make_case(description="我叫王小明，电话13812345678，路灯不亮", consent_publish=True))
    assert "路灯" in citizen.get("/answered/", {"q": "路灯"}).content.decode()

    response = citizen.get("/answered/", {"q": probe})

    assert list(response.context["page"]) == []


def test_reported_markup_is_escaped_everywhere(citizen, make_case, answer):
    case = answer(
        make_case(description="<script>alert(1)</script>路灯", consent_publish=True),
        "<img src=x onerror=alert(2)>",
    )

    for url in (f"/track/{case.tracking_code}/", "/answered/", "/"):
        body = citizen.get(url).content.decode()
        assert "<script>alert(1)" not in body, url
        assert "<img src=x" not in body, url


def test_pages_default_to_simplified_chinese_and_follow_the_browser(citizen, settings):
    settings.LANGUAGE_CODE = "zh-hans"

    default = citizen.get("/track/", {"code": unused_code()})
    traditional = citizen.get(
        "/track/", {"code": unused_code()}, headers={"Accept-Language": "zh-Hant"}
    )

    assert '<html lang="zh-hans">' in default.content.decode()
    assert '<html lang="zh-hant">' in traditional.content.decode()
    for response in (default, traditional):
        assert response.status_code == 404
        assert "No report has this tracking code." not in response.content.decode()
