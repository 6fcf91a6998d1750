"""百姓评: staff issue a rating link, a citizen rates badly, the unit gets a rectification case."""

import re

import pytest
from playwright.sync_api import expect

from civicdesk.cases.models import Case
from civicdesk.cases.workflow import Status
from civicdesk.e2e.test_report_answer import log_in, submit
from civicdesk.ratings.models import Level, Rating, Reason

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so the data must really be committed; the
    # serialized rollback brings back the channels (the rating channel too) from migrations.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SERVICE = "Street stall permit"
COMMENT = "I was sent away twice for a paper nobody had mentioned."


def test_bad_rating_becomes_a_rectification_case(new_context, open_page, units, handler):
    window = units["urban-window"]

    # A handler of the window's unit issues a rating link for a visit at the window.
    staff = open_page(new_context())
    log_in(staff, handler.username)
    staff.goto("/rate/staff/")
    window_url = f"/rate/staff/window/{window.code}/"
    staff.locator(f'a[href="{window_url}"]').first.click()
    expect(staff).to_have_url(re.compile(re.escape(window_url) + "$"))
    invite = staff.locator(f'form[action="{window_url}invite/"]')
    invite.locator('input[name="service_name"]').fill(SERVICE)
    submit(invite)
    expect(staff).to_have_url(re.compile(r"/rate/staff/invitation/\d+/$"))
    link = staff.locator(".link-box a").first.get_attribute("href")
    assert link and re.search(r"/rate/[^/]+/$", link), link

    # A citizen opens the link on a phone and rates the visit very badly.
    citizen = open_page(
        new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    )
    citizen.goto(link)
    form = citizen.locator("form:has(input[name='level'])")
    form.locator(f'input[name="level"][value="{Level.VERY_DISSATISFIED.value}"]').check()
    form.locator(f'input[name="reasons"][value="{Reason.EXTRA_MATERIALS.value}"]').check()
    form.locator('textarea[name="comment"]').fill(COMMENT)
    scroll_width = citizen.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"the rate page is {scroll_width}px wide on a 390px screen"
    submit(form)
    expect(citizen).to_have_url(re.compile(r"/rate/[^/]+/done/$"))
    code = citizen.locator("strong.code").inner_text().strip()
    assert code

    # The bad rating became a case for the window's unit, with that tracking code.
    case = Case.objects.get(tracking_code=code)
    assert case.unit == window
    assert case.status == Status.ASSIGNED
    assert COMMENT in case.submission.description
    rating = Rating.objects.get(case=case)
    assert rating.level == Level.VERY_DISSATISFIED
    assert rating.reasons == [Reason.EXTRA_MATERIALS.value]
    assert rating.window == window

    # The citizen follows the rectification with the tracking code.
    citizen.goto(f"/track/{code}/")
    expect(citizen.locator("#tracking-code")).to_have_text(code)
    expect(citizen.locator("#case-status")).to_have_class(re.compile(r"\bassigned\b"))

    # The handler sees the bad rating with its case, and opens the case itself.
    staff.goto(f"/rate/staff/?window={window.code}&bad=1")
    row = staff.locator("table.list tbody tr", has_text=code)
    expect(row).to_have_count(1)
    staff.goto(f"/staff/cases/{case.pk}/")
    expect(staff.locator("#case-status")).to_have_class(re.compile(r"\bassigned\b"))
    expect(staff.locator("body")).to_contain_text(COMMENT)

    assert citizen.js_errors == []
    assert staff.js_errors == []
