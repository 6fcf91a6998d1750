"""The appraisal line "deduction per material asked for after the first notice" (issue 18,
item 2: a second request for a material not on the first list "counts against the unit"), on
a month worked out by hand: the unit's score shows it line by line, its drill-down lists the
materials, and the scheme page offers the kind."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from civicdesk.applications.appraisal_lines import late_requests
from civicdesk.applications.models import Notice, NoticeItem
from civicdesk.applications.tests.conftest import clock, login, submit
from civicdesk.appraisal import scores
from civicdesk.appraisal.models import Scheme
from civicdesk.appraisal.schemes import scheme_create

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)


def moment(month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(date(2025, month, day), time(hour)))


def notice(application, number: int, at: datetime, unit, items: dict[str, bool]) -> Notice:
    """A notice as it stands: {material name: on the first notice?}."""
    made = Notice.objects.create(
        application=application,
        number=number,
        step=application.version.first_step,
        unit=unit,
        reason="" if number == 1 else "复核发现问题",
        late_items=sum(not first for first in items.values()),
        created_at=at,
    )
    for name, first in items.items():
        NoticeItem.objects.create(
            notice=made,
            material=application.materials.get(requirement__name=name),
            on_first_notice=first,
        )
    return made


@pytest.fixture
def march(version, units):
    window, market = units["urban-window"], units["market"]
    applications = []
    for day in (2, 3, 4, 5):
        with clock(moment(3, day)):
            applications.append(submit(version, applicant_name=f"申请人{day}"))
    a1, a2, a3, a4 = applications
    # a1: a complete first notice (not late), then one material not on it (late) and one
    # asked again that was on it (not late).
    notice(a1, 1, moment(3, 3), window, {"食品安全管理制度": True, "营业执照": True})
    notice(a1, 2, moment(3, 10), window, {"食品经营许可申请书": False, "营业执照": True})
    # a2: two materials not on its first notice, the second notice late in the month.
    notice(a2, 1, moment(3, 4), window, {"食品安全管理制度": True})
    notice(a2, 2, moment(3, 31, 23), window, {"食品经营许可申请书": False, "营业执照": False})
    # a3: a late request in April: not March's.
    notice(a3, 1, moment(3, 6), window, {"食品安全管理制度": True})
    notice(a3, 2, moment(4, 1, 9), window, {"营业执照": False})
    # a4: a late request by another unit (the review step of market regulation).
    notice(a4, 1, moment(3, 6), window, {"食品安全管理制度": True})
    notice(a4, 2, moment(3, 12), market, {"营业执照": False})
    return applications


def test_late_requests_of_a_month_counted_by_hand(march, units):
    period = scores.period_of(MARCH)
    a1, a2, _a3, a4 = march

    def codes(unit):
        return sorted(
            late_requests(unit, period).values_list("notice__application__tracking_code", flat=True)
        )

    # The window's three, counted for it and for urban above it; market's one for market.
    assert codes(units["urban-window"]) == sorted([a1.tracking_code, *[a2.tracking_code] * 2])
    assert codes(units["urban"]) == codes(units["urban-window"])
    assert codes(units["market"]) == [a4.tracking_code]


def test_the_score_shows_the_deduction_line_by_line(march, units, supervisor):
    scheme_create(
        name="含一次性告知考核",
        valid_from=MARCH,
        rows=[
            {"kind": "base", "points": "100"},
            {"kind": "late_material_request", "points": "1.5", "cap": "4"},
        ],
        actor=supervisor,
    )
    client = login(supervisor)

    page = client.get("/staff/appraisal/units/urban-window/", {"month": "2025-03"})
    drill = client.get("/staff/appraisal/units/urban-window/lines/2/", {"month": "2025-03"})
    market = scores.unit_score(units["market"], MARCH)

    text = page.content.decode()
    assert "Deduction per material asked for after the first notice" in text
    # 3 materials × 1.5 = 4.5, capped at 4.
    assert "3 × 1.50 = −4.50" in text
    assert page.context["score"].total == Decimal("96.00")
    a1, a2, _a3, _a4 = march
    assert [row.code for row in drill.context["rows"]] == [
        a1.tracking_code,
        a2.tracking_code,
        a2.tracking_code,
    ]
    assert f"/hall/staff/a/{a1.pk}/" in drill.content.decode()
    assert "食品经营许可申请书" in drill.content.decode()
    assert (market.lines[1].result, market.total) == (Decimal("-1.50"), Decimal("98.50"))


def test_a_supervisor_adds_the_line_on_the_scheme_page(supervisor):
    client = login(supervisor)
    assert "late_material_request" in client.get("/staff/appraisal/schemes/new/").text
    response = client.post(
        "/staff/appraisal/schemes/new/",
        {
            "name": "含一次性告知",
            "valid_from": "2025-06",
            "line-TOTAL_FORMS": "2",
            "line-INITIAL_FORMS": "0",
            "line-MIN_NUM_FORMS": "0",
            "line-MAX_NUM_FORMS": "40",
            "line-0-kind": "base",
            "line-0-points": "100",
            "line-1-kind": "late_material_request",
            "line-1-points": "2",
            "line-1-cap": "10",
        },
    )
    assert response.status_code == 302
    saved = Scheme.objects.get(name="含一次性告知")
    assert [(line.kind, line.points, line.cap) for line in saved.lines.all()] == [
        ("base", Decimal("100.00"), None),
        ("late_material_request", Decimal("2.00"), Decimal("10.00")),
    ]
