"""The public map in Chromium on a 390 px phone: the server's clusters are drawn on the map
(nearby/map.js over civicdesk/map.js), a number zooms in to single reports, a report's popup
leads to its page, where "me too" counts once; nothing sticks out sideways."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from civicdesk.nearby.models import Endorsement

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Around the default map centre (CIVICDESK_MAP_CENTER 30.2741,120.1551): two reports 30 m
# apart and one 1.5 km north.
GATE = (Decimal("30.274100"), Decimal("120.155100"))
NEIGHBOUR = (Decimal("30.274300"), Decimal("120.155300"))
NORTH = (Decimal("30.287600"), Decimal("120.155100"))


def test_map_clusters_zoom_in_and_me_too(new_context, open_page, make_case):
    for (latitude, longitude), text in (
        (GATE, "东苑小区3号楼路灯不亮"),
        (NEIGHBOUR, "东苑小区4号楼路灯闪烁"),
        (NORTH, "北门井盖松动"),
    ):
        make_case(
            description=text,
            latitude=latitude,
            longitude=longitude,
            consent_publish=True,
            address="东苑小区",
        )
    make_case(description="不公开的诉求", latitude=GATE[0], longitude=GATE[1])

    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = open_page(context)
    page.goto("/nearby/")
    expect(page.locator("#report-map")).to_be_visible()
    # Zoom 13: the two neighbours share a cell (one marker "2"), the northern report is alone.
    cluster = page.locator(".nearby-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("2")
    expect(page.locator("path.nearby-dot")).to_have_count(1)
    expect(page.locator("[data-loaded]")).to_have_attribute("data-loaded", "3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    cluster.click()  # zooms in to the two reports
    expect(page.locator(".nearby-cluster")).to_have_count(0)
    expect(page.locator("path.nearby-dot")).to_have_count(2)

    page.locator("path.nearby-dot").first.click(force=True)
    popup = page.locator(".nearby-popup")
    expect(popup).to_contain_text("路灯")
    with page.expect_navigation():
        popup.get_by_role("link").click()
    expect(page.locator("#report-text")).to_contain_text("东苑小区")
    with page.expect_navigation():
        page.get_by_role("button", name="Me too: this affects me as well").click()
    expect(page.locator("#metoo-count")).to_have_text("1 person said “me too”")
    with page.expect_navigation():
        page.get_by_role("button", name="Me too: this affects me as well").click()
    expect(page.locator(".messages")).to_contain_text("already said “me too”")
    assert Endorsement.objects.count() == 1

    # Filters are in the address: only answered reports, none yet.
    page.goto("/nearby/?status=answered")
    expect(page.locator(".empty-state")).to_be_visible()
    expect(page.locator(".nearby-cluster")).to_have_count(0)
    expect(page.locator("path.nearby-dot")).to_have_count(0)
    assert page.js_errors == []
