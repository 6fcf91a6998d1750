"""The Content-Security-Policy in a real browser: pages run with it and nothing is blocked."""

import pytest
from playwright.sync_api import expect

from civicdesk.e2e.test_report_answer import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = ["/", "/report/", "/track/", "/dashboard/", "/admin/login/", "/api/v1/docs"]
STAFF_PAGES = ["/staff/", "/dashboard/staff/", "/staff/questionnaires/new/", "/admin/"]


def watch_policy(page) -> list[str]:
    """Collect CSP violations: console errors about the policy and the DOM's own event."""
    violations: list[str] = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI))"
    )
    return violations


def test_pages_run_under_the_policy_and_the_language_switch_works(
    new_context, open_page, admin_user
):
    page = open_page(new_context())
    violations = watch_policy(page)
    for url in PAGES:
        response = page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        page.wait_for_load_state("load")

    # The switcher's behaviour moved from onchange= to site.js: choosing submits the form.
    page.goto("/")
    with page.expect_navigation():
        page.locator("#lang-select").select_option("zh-hant")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")

    log_in(page, "admin")
    for url in STAFF_PAGES:
        page.goto(url)
        page.wait_for_load_state("load")

    assert violations == []
    assert page.js_errors == []
