"""The staff inbox: filters, search, pagination and the htmx fragment."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from civicdesk.cases.models import Case, Category
from civicdesk.cases.services import case_answer, case_close
from civicdesk.conftest import login

pytestmark = pytest.mark.django_db

URL = "/staff/"
# /staff/ with no query at all is each role's landing page (core.landing): the inbox as it
# opens, with no filter chosen, is asked for with a first page.
AS_OPENED = {"page": 1}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def listed(response) -> set[str]:
    assert response.status_code == 200, response.content[:500]
    return {case.tracking_code for case in response.context["page"]}


def codes(*cases: Case) -> set[str]:
    return {case.tracking_code for case in cases}


@pytest.fixture
def staff(supervisor):
    return login(supervisor)


def test_default_shows_open_cases_only(staff, make_case, assigned, handler):
    received, open_assigned = make_case(), assigned("urban")
    case_answer(case=assigned("urban"), actor=handler, text="已处理")

    response = staff.get(URL, AS_OPENED)

    assert listed(response) == codes(received, open_assigned)
    assert response.context["form"]["status"].value() == "default"
    assert 'id="search-scope"' not in response.content.decode()


def test_empty_status_shows_every_case(staff, make_case, assigned, handler):
    received = make_case()
    answered = case_answer(case=assigned("urban"), actor=handler, text="已处理")

    assert listed(staff.get(URL, {"status": ""})) == codes(received, answered)


def test_status_answered(staff, make_case, assigned, handler):
    make_case()
    answered = case_answer(case=assigned("urban"), actor=handler, text="已处理")

    assert listed(staff.get(URL, {"status": "answered"})) == codes(answered)


def test_unknown_status_is_400(staff, make_case):
    make_case()

    response = staff.get(URL, {"status": "lost"})

    assert response.status_code == 400
    assert response.context["form"].errors["status"]
    assert list(response.context["page"]) == []


def test_overdue_only(staff, make_case, assigned):
    late_unassigned, on_time = make_case(), make_case()
    late_answer = assigned("urban")
    past = timezone.now() - timedelta(hours=1)
    Case.objects.filter(pk=late_unassigned.pk).update(assign_due_at=past)
    Case.objects.filter(pk=late_answer.pk).update(answer_due_at=past)

    response = staff.get(URL, {"overdue": "on"})

    assert listed(response) == codes(late_unassigned, late_answer)
    assert on_time.tracking_code not in response.content.decode()
    assert 'class="badge overdue"' in response.content.decode()


def test_channel_filter_by_code(staff, make_case):
    phone, _snapshot = make_case(channel="phone"), make_case(channel="snapshot")

    assert listed(staff.get(URL, {"channel": "phone"})) == codes(phone)


def test_category_filter_on_an_aspect_includes_its_categories(staff, make_case):
    lights = make_case(category=Category.objects.get(code="street-lights"))
    noise = make_case(category=Category.objects.get(code="noise"))
    aspect = make_case(category=Category.objects.get(code="urban"))
    make_case(category=Category.objects.get(code="education"))
    make_case()

    assert listed(staff.get(URL, {"category": "urban"})) == codes(lights, noise, aspect)
    assert listed(staff.get(URL, {"category": "street-lights"})) == codes(lights)


def test_unit_filter_includes_the_units_below(staff, assigned, make_case):
    urban, window = assigned("urban"), assigned("urban-window")
    assigned("market"), make_case()

    assert listed(staff.get(URL, {"unit": "urban"})) == codes(urban, window)
    assert listed(staff.get(URL, {"unit": "urban-window"})) == codes(window)


def test_received_date_range(staff, make_case):
    dates = {}
    for day in (5, 10, 15):
        case = make_case()
        when = datetime(2024, 3, day, 12, 0, tzinfo=SHANGHAI)
        Case.objects.filter(pk=case.pk).update(received_at=when)
        dates[day] = case

    both = {"received_from": "2024-03-06", "received_to": "2024-03-15"}
    assert listed(staff.get(URL, both)) == codes(dates[10], dates[15])
    assert listed(staff.get(URL, {"received_from": "2024-03-10"})) == codes(dates[10], dates[15])
    assert listed(staff.get(URL, {"received_to": "2024-03-10"})) == codes(dates[5], dates[10])


def test_received_date_is_the_local_day(staff, make_case):
    case = make_case()
    # 00:30 on 1 March in Shanghai is still 29 February in UTC.
    when = datetime(2024, 3, 1, 0, 30, tzinfo=SHANGHAI)
    Case.objects.filter(pk=case.pk).update(received_at=when)

    assert listed(staff.get(URL, {"received_from": "2024-03-01"})) == codes(case)


def test_received_from_after_received_to_is_400(staff, make_case):
    make_case()

    response = staff.get(URL, {"received_from": "2024-03-10", "received_to": "2024-03-01"})

    assert response.status_code == 400
    assert response.context["form"].errors["received_to"] == [
        "The end date is before the start date."
    ]
    assert "The end date is before the start date." in response.content.decode()
    assert list(response.context["page"]) == []


def test_search_matches_traditional_against_simplified(staff, make_case):
    lights = make_case(description="东苑小区门口路灯不亮")
    make_case(description="垃圾桶满了")

    assert listed(staff.get(URL, {"q": "路燈"})) == codes(lights)


def test_search_matches_simplified_against_traditional(staff, make_case):
    lights = make_case(description="東苑社區門口路燈不亮")
    make_case(description="垃圾桶满了")

    assert listed(staff.get(URL, {"q": "路灯"})) == codes(lights)


def test_search_needs_every_word(staff, make_case):
    both = make_case(description="东苑路灯不亮", address="东苑路 1 号")
    make_case(description="西苑路灯不亮")

    assert listed(staff.get(URL, {"q": "路灯 东苑"})) == codes(both)


def test_search_by_tracking_code(staff, make_case):
    case, _other = make_case(), make_case()

    assert listed(staff.get(URL, {"q": case.tracking_code})) == codes(case)
    assert listed(staff.get(URL, {"q": case.tracking_code.lower()})) == codes(case)


def test_search_by_tracking_code_without_dashes(staff, make_case):
    case, _other = make_case(), make_case()

    assert listed(staff.get(URL, {"q": case.tracking_code.replace("-", "")})) == codes(case)


@pytest.fixture
def closed_case(assigned, handler, supervisor):
    def make(**fields) -> Case:
        answered = case_answer(case=assigned("urban", **fields), actor=handler, text="已修复")
        return case_close(case=answered, actor=supervisor)

    return make


def test_searching_a_tracking_code_finds_an_answered_or_closed_case(
    staff, make_case, assigned, handler, closed_case
):
    answered = case_answer(case=assigned("urban"), actor=handler, text="已修复")
    closed = closed_case()
    make_case()

    for case in (answered, closed):
        # As the inbox's own form sends it: the status box still on its default.
        for params in ({"q": case.tracking_code}, {"q": case.tracking_code, "status": "default"}):
            response = staff.get(URL, params)
            assert listed(response) == codes(case), params
            assert 'id="search-scope"' in response.content.decode()


def test_searching_words_looks_at_every_status(staff, make_case, assigned, handler, closed_case):
    open_one = make_case(description="东苑路灯不亮")
    answered = case_answer(
        case=assigned("urban", description="东苑路灯又坏了"), actor=handler, text="已修复"
    )
    closed = closed_case(description="东苑路灯闪烁")
    make_case(description="西苑垃圾满了")

    assert listed(staff.get(URL, {"q": "东苑 路灯"})) == codes(open_one, answered, closed)


def test_a_status_the_user_chose_narrows_the_search(staff, make_case, assigned, handler):
    open_one = make_case(description="东苑路灯不亮")
    answered = case_answer(
        case=assigned("urban", description="东苑路灯又坏了"), actor=handler, text="已修复"
    )

    assert listed(staff.get(URL, {"q": "东苑", "status": "open"})) == codes(open_one)
    assert listed(staff.get(URL, {"q": "东苑", "status": "answered"})) == codes(answered)
    response = staff.get(URL, {"q": "东苑", "status": "open"})
    assert 'id="search-scope"' not in response.content.decode()


def test_pagination(staff, make_case):
    for _ in range(26):
        make_case()

    first = staff.get(URL, AS_OPENED)
    second = staff.get(URL, {"page": 2})

    assert len(listed(first)) == 25
    assert len(listed(second)) == 1
    assert listed(first).isdisjoint(listed(second))
    assert "Page 1 of 2" in first.content.decode()
    assert "page=2" in first.content.decode().split('class="pagination"', 1)[1]


def test_pagination_keeps_the_filters(staff, make_case):
    for _ in range(26):
        make_case(channel="phone")
    make_case(channel="snapshot")

    response = staff.get(URL, {"channel": "phone"})

    assert response.context["page"].paginator.count == 26
    assert "channel=phone" in response.content.decode().split('class="pagination"', 1)[1]


def test_htmx_request_returns_only_the_table(staff, make_case):
    case = make_case()

    response = staff.get(URL, headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<p")
    assert "<table" in body
    assert case.tracking_code in body
    assert "<html" not in body
    assert 'id="inbox-filters"' not in body


def test_full_page_has_filters_and_table(staff, make_case):
    make_case()

    body = staff.get(URL, AS_OPENED).content.decode()

    assert 'id="inbox-filters"' in body
    assert '<div id="case-table">' in body


def test_htmx_request_with_bad_date_range_explains_the_error(staff, make_case):
    make_case()

    response = staff.get(
        URL,
        {"received_from": "2024-03-10", "received_to": "2024-03-01"},
        headers={"HX-Request": "true"},
    )

    assert "The end date is before the start date." in response.content.decode()


def test_a_long_inbox_is_counted_up_to_the_cap_and_pages_on_by_next(staff, make_case, monkeypatch):
    monkeypatch.setattr("civicdesk.core.paging.COUNT_CAP", 5)
    monkeypatch.setattr("civicdesk.staff.views.PAGE_SIZE", 2)
    for _ in range(7):
        make_case()

    first = staff.get(URL, AS_OPENED)
    last = staff.get(URL, {"page": 4})
    past_the_end = staff.get(URL, {"page": 9})

    body = first.content.decode()
    assert "More than 5 cases" in body
    assert "Page 1</span>" in body and "Page 1 of" not in body
    assert "page=2" in body.split('class="pagination"', 1)[1]
    assert len(listed(last)) == 1 and not last.context["page"].has_next()
    assert "page=3" in last.content.decode().split('class="pagination"', 1)[1]
    assert "page=5" not in last.content.decode()
    everything = set()
    for number in range(1, 5):
        everything |= listed(staff.get(URL, {"page": number}))
    assert len(everything) == 7  # every case on exactly one page
    assert past_the_end.context["page"].number == 1


def test_the_cap_changes_nothing_for_a_short_inbox(staff, make_case, monkeypatch):
    monkeypatch.setattr("civicdesk.core.paging.COUNT_CAP", 5)
    monkeypatch.setattr("civicdesk.staff.views.PAGE_SIZE", 2)
    for _ in range(5):
        make_case()

    body = staff.get(URL, {"page": 3}).content.decode()

    assert "5 cases" in body and "More than" not in body
    assert "Page 3 of 3" in body
