"""Catalogue figures, hand-computed on a few records, on the public and staff pages."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from civicdesk.catalogue.models import ServiceItem, ServiceRecord
from civicdesk.conftest import login


def _days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _d(days: int) -> str:
    return timezone.localdate(_days_ago(days)).isoformat()


def row(html: str, row_id: str) -> dict[str, str]:
    match = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return dict(re.findall(r'<td class="([\w-]+)"[^>]*>([^<]*)</td>', match.group(1)))


@pytest.fixture
def records(item, units, make_record, other_handler):
    window, urban = units["urban-window"], units["urban"]
    make_record(item, window, visits=1, on_spot=True)
    make_record(item, window, visits=2)
    make_record(item, window, visits=3)
    make_record(item, urban, visits=0, channel="online")
    make_record(item, urban, visits=1, on_spot=True)
    make_record(item, window, visits=5, days_ago=100)  # outside the last 90 days
    make_record(item, units["market"], visits=1, staff=other_handler, days_ago=200)


def test_queryset_metrics(item, records):
    metrics = ServiceRecord.objects.filter(recorded_at__gte=_days_ago(90)).metrics()
    assert metrics.records == 5
    assert metrics.average_visits == pytest.approx(7 / 5)
    assert metrics.at_most_one_share == pytest.approx(3 / 5)
    assert metrics.on_spot_rate == pytest.approx(2 / 4)
    assert metrics.online_share == pytest.approx(1 / 5)
    assert metrics.once_kept is False


def test_public_catalogue_shows_items_and_aggregates_only(citizen, item, records):
    response = citizen.get("/services/")
    assert response.status_code == 200
    html = response.text
    assert row(html, f"item-{item.code}") == {
        "records": "5",
        "average": "1.40",
        "once-share": "60.0%",
        "on-spot": "50.0%",
        "online": "20.0%",
    }
    assert "not kept" in html
    # The seeded catalogue is there too, with no figures yet.
    assert "Pension entitlement qualification check" in html
    assert row(html, "item-gas-connection")["average"] == "—"
    # Aggregates only: no staff names, no individual records.
    assert "other-handler" not in html
    assert ">handler<" not in html and "handler" not in html


def test_public_item_page(citizen, item, records):
    response = citizen.get(f"/services/{item.code}/")
    assert response.status_code == 200
    html = response.text
    for material in ("申请表", "身份证", "摊点位置示意图"):
        assert f"<li>{material}</li>" in html
    assert 'class="average">1.40<' in html
    assert 'class="once-share">60.0%<' in html
    assert 'class="on-spot">50.0%<' in html
    assert 'class="online">20.0%<' in html
    assert "handler" not in html


def test_promise_kept_when_no_case_needs_more_than_one_visit(citizen, item, units, make_record):
    make_record(item, units["urban-window"], visits=1, on_spot=True)
    make_record(item, units["urban"], visits=0, channel="online")
    html = citizen.get(f"/services/{item.code}/").text
    assert '<span class="badge answered">kept</span>' in html


def test_unknown_or_inactive_item_is_404(citizen, item):
    assert citizen.get("/services/no-such-item/").status_code == 404
    item.is_active = False
    item.save()
    assert citizen.get(f"/services/{item.code}/").status_code == 404
    assert item.code not in citizen.get("/services/").text


def test_staff_page_per_unit_for_handler(handler, records):
    response = login(handler).get("/services/staff/")
    assert response.status_code == 200
    html = response.text
    assert row(html, "unit-urban-window") == {
        "records": "3",
        "average": "2.00",
        "once-share": "33.3%",
        "on-spot": "33.3%",
        "online": "0.0%",
    }
    assert row(html, "unit-urban") == {
        "records": "2",
        "average": "0.50",
        "once-share": "100.0%",
        "on-spot": "100.0%",
        "online": "50.0%",
    }
    assert row(html, "total")["records"] == "5"
    # The market department's figures are not the urban handler's business.
    assert 'id="unit-market"' not in html


def test_staff_period_filter(clerk, records):
    response = login(clerk).get("/services/staff/", {"start": _d(250), "end": _d(95)})
    assert response.status_code == 200
    assert row(response.text, "unit-urban-window")["average"] == "5.00"
    assert row(response.text, "unit-market")["records"] == "1"
    assert row(response.text, "total")["records"] == "2"


@pytest.mark.parametrize(
    "query", [{"start": "2025-05-01", "end": "2025-04-01"}, {"start": "yesterday"}]
)
def test_bad_period_is_refused(clerk, query):
    response = login(clerk).get("/services/staff/", query)
    assert response.status_code == 400
    assert "errornote" in response.text
    assert login(clerk).get("/services/staff/export.xlsx", query).status_code == 400


def test_staff_pages_need_login_and_a_unit(citizen, records):
    for url in ("/services/staff/", "/services/staff/export.xlsx"):
        response = citizen.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_export_is_formula_safe(clerk, units, make_record):
    units["urban-window"].name = "=HYPERLINK(1)"
    units["urban-window"].save()
    item = ServiceItem.objects.get(code="gas-connection")
    make_record(item, units["urban-window"], visits=1, on_spot=True)
    response = login(clerk).get("/services/staff/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert ["'=HYPERLINK(1)", 1, 1, 1, 1, 0] in values
    items = [[cell.value for cell in line] for line in workbook.worksheets[1].iter_rows()]
    assert ["gas-connection", "Gas connection application", 1, 1, 1, 1, 0, "kept"] in items
