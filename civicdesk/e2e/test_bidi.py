"""A right-to-left override typed into an address does not reverse what the staff page prints
after it: Chromium lays the coordinates out left to right."""

from decimal import Decimal

import pytest

from civicdesk.e2e.test_report_answer import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Where the character at `index` of the coordinates' text is drawn, from the left.
CHARACTER_LEFT = """([selector, index]) => {
    const text = document.querySelector(selector).firstChild;
    const range = document.createRange();
    range.setStart(text, index);
    range.setEnd(text, index + 1);
    return range.getBoundingClientRect().left;
}"""


def test_an_override_in_the_address_leaves_the_coordinates_in_order(
    new_context, open_page, supervisor, make_case
):
    case = make_case(
        address="东苑路\u202e12号",
        latitude=Decimal("30.274100"),
        longitude=Decimal("120.155100"),
    )
    page = open_page(new_context())
    log_in(page, supervisor.username)
    page.goto(f"/staff/cases/{case.pk}/")

    coordinates = page.locator("#location .coordinates")
    text = coordinates.inner_text()
    assert text == "(30.274100, 120.155100)"
    opening = page.evaluate(CHARACTER_LEFT, ["#location .coordinates", 0])
    closing = page.evaluate(CHARACTER_LEFT, ["#location .coordinates", len(text) - 1])
    assert opening < closing, "the coordinates are drawn right to left"
    assert page.js_errors == []
