"""The leaders' dashboard in a real browser: charts draw, a click on a bar opens the cases
behind it, snap-and-report cases are on the map, and the page fits a phone."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from civicdesk.dashboard import aggregate
from civicdesk.e2e.test_report_answer import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def district_today(make_case):
    """Three snap-and-report cases with a place and one phone call, received today."""
    for n in range(3):
        make_case(
            description=f"人行道井盖松动 {n}",
            latitude=Decimal("30.2741") + Decimal(n) / 100,
            longitude=Decimal("120.1551"),
        )
    make_case(channel="phone", description="夜间施工噪音扰民")
    aggregate.refresh()


def test_charts_draw_and_lead_to_the_cases_behind_them(
    new_context, open_page, leader, district_today
):
    page = open_page(new_context())
    log_in(page, leader.username)
    page.goto("/dashboard/staff/")

    channel_chart = page.locator('[data-chart="chart-channel"]')
    expect(channel_chart.locator("svg")).to_be_visible()
    for chart in ("chart-day", "chart-aspect", "chart-trend", "chart-ratings"):
        expect(page.locator(f'[data-chart="{chart}"] svg')).to_be_visible()
    # Leaflet draws one circle per map square with cases (tiles are refused: no internet).
    expect(page.locator("#dashboard-map .leaflet-overlay-pane path")).to_have_count(3)

    # The longest bar is the snap-and-report channel's, at the top of the chart.
    channel_chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # ECharts grows the bars for a second
    box = channel_chart.bounding_box()
    assert box is not None
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    expect(page).to_have_url(re.compile(r"/dashboard/staff/cases/\?.*channel=\d+"))
    expect(page.locator("#drill-list tbody tr[data-case]")).to_have_count(3)
    assert page.js_errors == []


def test_dashboard_fits_a_phone(new_context, open_page, leader, district_today):
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = open_page(context)
    log_in(page, leader.username)
    page.goto("/dashboard/staff/")
    expect(page.locator('[data-chart="chart-day"] svg')).to_be_visible()
    for selector in ("#dashboard-form", "#kpis", "#by-day", "#by-channel"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
    assert page.js_errors == []
