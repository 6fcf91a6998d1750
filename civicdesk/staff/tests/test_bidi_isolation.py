"""Text people typed is isolated (<bdi>) where it shares a line with anything else, so that bidi
controls in it (U+202E RIGHT-TO-LEFT OVERRIDE…) cannot reorder what the page prints after it."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from civicdesk.conftest import login
from civicdesk.staff.tests.conftest import case_url

pytestmark = pytest.mark.django_db

RLO = "\u202e"
ADDRESS = f"东苑路{RLO}12号"


def test_the_isolate_filter_wraps_escaped_text_in_bdi():
    rendered = Template("{% load civic %}[{{ text|isolate }}][{{ empty|isolate }}]").render(
        Context({"text": f"<b>{RLO}x</b>", "empty": ""})
    )

    assert rendered == f"[<bdi>&lt;b&gt;{RLO}x&lt;/b&gt;</bdi>][]"


def test_an_address_cannot_reverse_the_coordinates_after_it(supervisor, make_case):
    case = make_case(
        address=ADDRESS, latitude=Decimal("30.274100"), longitude=Decimal("120.155100")
    )

    body = login(supervisor).get(case_url(case)).content.decode()

    location = body.split('id="location">', 1)[1].split("</dd>", 1)[0]
    # The override ends with the <bdi>, before the coordinates.
    assert location.startswith(f"<bdi>{ADDRESS}</bdi> <span")
    assert "(30.274100, 120.155100)" in location.split("</bdi>", 1)[1]


def test_every_user_field_on_a_line_of_the_case_page_is_isolated(supervisor, make_case):
    case = make_case(
        contact_name=f"王{RLO}明",
        contact_phone="13800138000",
        contact_email="a@example.org",
        for_enterprise=True,
        enterprise_name=f"东苑{RLO}贸易有限公司",
        enterprise_credit_code="91330106MA2B1C2D3E",
        source_details={"group": f"web{RLO}"},  # a detail the page shows
    )

    body = login(supervisor).get(case_url(case)).content.decode()

    for typed in (
        f"王{RLO}明",
        "13800138000",
        "a@example.org",
        f"东苑{RLO}贸易有限公司",
        "91330106MA2B1C2D3E",
        f"web{RLO}",
    ):
        assert f"<bdi>{typed}</bdi>" in body, typed
    assert RLO not in body.replace(f"<bdi>王{RLO}明</bdi>", "").replace(
        f"<bdi>东苑{RLO}贸易有限公司</bdi>", ""
    ).replace(f"<bdi>web{RLO}</bdi>", "")


def test_the_inbox_isolates_each_description(supervisor, make_case):
    make_case(description=f"路灯{RLO}不亮")

    body = login(supervisor).get("/staff/", {"status": "default"}).content.decode()

    assert f'<td data-label="Problem"><bdi>路灯{RLO}不亮</bdi>' in body
