"""Knowledge base beside the answer box: a handler inserts an entry into the answer with one
click (knowledge/insert.js and htmx), the use is recorded, and the answer sent from it counts
as answered at first contact."""

import re

import pytest
from playwright.sync_api import expect

from civicdesk.cases import services as case_services
from civicdesk.cases.models import Case, Category
from civicdesk.e2e.test_report_answer import log_in, submit
from civicdesk.knowledge.models import EntryUse
from civicdesk.knowledge.services import EntryFields, entry_save

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_entry_goes_into_the_answer(
    new_context, open_page, make_case, units, supervisor, handler
):
    noise = Category.objects.get(code="noise")
    entry = entry_save(
        actor=supervisor,
        fields=EntryFields(
            title="Night-time building noise",
            summary="Building work at night needs a permit shown on site.",
            category=noise,
            legal_basis="Noise Pollution Law, article 43",
        ),
    )
    case = case_services.case_assign(
        case=make_case(category=noise), unit=units["urban"], actor=supervisor
    )

    page = open_page(new_context(viewport={"width": 390, "height": 844}, is_mobile=True))
    log_in(page, handler.username)
    page.goto(f"/staff/cases/{case.pk}/")
    panel = page.locator("#knowledge-panel")
    expect(panel.locator(".kb-entry")).to_have_count(1)
    panel.locator(".kb-insert").click()
    expect(panel.locator(".kb-used")).to_contain_text("Inserted")
    answer = page.locator("#answer-text textarea")
    expect(answer).to_have_value(re.compile(r"^Building work at night needs a permit"))
    expect(answer).to_have_value(re.compile(r"Legal basis: Noise Pollution Law, article 43$"))
    assert EntryUse.objects.filter(entry=entry, case=case).count() == 1

    submit(page.locator("#answer-form"))
    case = Case.objects.get(pk=case.pk)
    assert case.answer.startswith("Building work at night needs a permit")
    assert case.first_responded_at == case.answered_at
    assert page.js_errors == []
