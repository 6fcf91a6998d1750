"""The online service hall in Chromium: an enterprise applies on a phone for a food business
licence with one material missing, the window sends one complete notice, the applicant hands
the material in on the same page (htmx), the application passes its steps to issue, and the
visit count stays 0."""

import re

import pytest
from playwright.sync_api import expect

from civicdesk.applications.models import Application
from civicdesk.applications.tests.conftest import (  # noqa: F401 - fixtures
    CREDIT_CODE,
    _recording_senders,
    food_item,
    reviewer,
    version,
    window_clerk,
)
from civicdesk.e2e.test_report_answer import log_in, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _pdf(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% test\n")
    return str(path)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px screen"


def test_apply_notice_upload_issue(
    new_context,
    open_page,
    version,
    window_clerk,
    reviewer,
    tmp_path,
):
    # The enterprise applies on its phone, the safety rules missing.
    phone = open_page(new_context(**PHONE))
    phone.goto("/hall/")
    phone.locator('a[href="/hall/matters/food-license/apply/"]').click()
    form = phone.locator("#apply-form")
    expect(form).to_be_visible()
    _fits(phone)
    form.locator('input[name="applicant_type"][value="enterprise"]').check()
    form.locator('input[name="applicant_name"]').fill("杭州味道餐饮有限公司")
    form.locator('input[name="credit_code"]').fill(CREDIT_CODE)
    form.locator('input[name="contact_phone"]').fill("13800138000")
    for material in version.materials.exclude(name__in=["食品安全管理制度", "经营场所平面图"]):
        form.locator(f'input[name="material_{material.pk}"]').set_input_files(
            _pdf(tmp_path, f"{material.pk}.pdf")
        )
    submit(form)
    expect(phone).to_have_url(re.compile(r"/hall/a/[2-9A-Z-]+/$"))
    code = phone.locator("#tracking-code").inner_text().strip()
    expect(phone.locator("#visit-count")).to_have_text("0")
    _fits(phone)

    # The window checks every material and sends one complete notice.
    application = Application.objects.get(tracking_code=code)
    staff = open_page(new_context())
    log_in(staff, window_clerk.username)
    staff.goto(f"/hall/staff/a/{application.pk}/")
    while staff.locator("form.check-form.pending").count():
        check = staff.locator("form.check-form.pending").first
        check.locator('input[value="accept"]').check()
        submit(check)
    staff.locator("#action-notice summary").click()
    submit(staff.locator("#action-notice form"))
    expect(staff.locator("#status")).to_have_class(re.compile(r"\bwaiting\b"))

    # The applicant sees the notice and hands the material in without leaving the page.
    phone.reload()
    notice = phone.locator("#notice")
    expect(notice).to_contain_text("食品安全管理制度")
    missing = application.materials.get(requirement__name="食品安全管理制度")
    row = phone.locator(f"#material-{missing.pk}")
    row.locator('input[type="file"]').set_input_files(_pdf(tmp_path, "rules.pdf"))
    row.locator('button[type="submit"]').click()
    expect(phone.locator(f"#material-{missing.pk} .state")).to_have_class(
        re.compile(r"\bprovided\b")
    )
    _fits(phone)

    # Accepted at the window, reviewed and inspected by the bureau, issued at the window.
    staff.goto(f"/hall/staff/a/{application.pk}/")
    check = staff.locator("form.check-form.pending").first
    check.locator('input[value="accept"]').check()
    submit(check)
    submit(staff.locator("#action-accept form"))
    handler = open_page(new_context())
    log_in(handler, reviewer.username)
    for _step in ("review", "inspect"):
        handler.goto(f"/hall/staff/a/{application.pk}/")
        submit(handler.locator("#action-take"))
        submit(handler.locator("#action-complete form"))
    staff.goto(f"/hall/staff/a/{application.pk}/")
    submit(staff.locator("#action-issue form"))
    expect(staff.locator("#status")).to_have_class(re.compile(r"\bissued\b"))

    phone.reload()
    expect(phone.locator("#status")).to_have_class(re.compile(r"\bissued\b"))
    expect(phone.locator("#visit-count")).to_have_text("0")
    assert phone.js_errors == [] and staff.js_errors == [] and handler.js_errors == []
