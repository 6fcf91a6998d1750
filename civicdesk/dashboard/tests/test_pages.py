import re
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicdesk.conftest import login
from civicdesk.dashboard import aggregate
from civicdesk.dashboard.tests.conftest import NOW
from civicdesk.evaluation.models import FollowUp, FollowUpStatus

MARCH_QUERY = "since=2025-03-01&until=2025-03-31"
STAFF = "/dashboard/staff/"
DRILL = "/dashboard/staff/cases/"


def drill_links(body: str) -> list[str]:
    return [
        link.replace("&amp;", "&")
        for link in re.findall(r'href="(/dashboard/staff/cases/\?[^"]+)"', body)
    ]


def listed(response) -> list[str]:
    return re.findall(r'<tr data-(?:case|rating|measure)="(\d+)"', response.content.decode())


@pytest.fixture
def refreshed(march):
    aggregate.refresh(now=NOW)
    return march


@pytest.mark.parametrize("persona", ["leader", "supervisor", "admin_user"])
def test_leaders_supervisors_and_admins_see_the_dashboard(persona, request, refreshed):
    response = login(request.getfixturevalue(persona)).get(f"{STAFF}?{MARCH_QUERY}")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-chart="chart-channel"' in body
    assert 'id="chart-trend"' in body  # the chart's data, as json_script
    assert drill_links(body)


@pytest.mark.parametrize("persona", ["handler", "clerk"])
def test_other_staff_get_a_404_on_every_staff_page(persona, request, refreshed):
    client = login(request.getfixturevalue(persona))
    for url in (STAFF, DRILL, f"{STAFF}export.xlsx"):
        assert client.get(f"{url}?{MARCH_QUERY}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(citizen):
    response = citizen.get(STAFF)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_every_drill_down_lists_exactly_the_counted_rows(leader, refreshed):
    """Each linked number on the dashboard equals the length of the list it opens."""
    client = login(leader)
    body = client.get(f"{STAFF}?{MARCH_QUERY}").content.decode()
    pairs = re.findall(r'<a href="(/dashboard/staff/cases/\?[^"]+)">(\d+)</a>', body)
    assert len(pairs) > 30
    for link, number in pairs:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        assert len(listed(response)) == int(number), link


def test_response_rate_drill_down_names_the_cases(leader, refreshed):
    on_time, late = refreshed[0], refreshed[1]
    client = login(leader)
    response = client.get(f"{DRILL}?{MARCH_QUERY}&unit=urban&rate=response&part=numerator")
    assert listed(response) == [str(on_time.pk)]
    assert on_time.tracking_code in response.content.decode()
    denominator = client.get(f"{DRILL}?{MARCH_QUERY}&unit=urban&rate=response&part=denominator")
    assert str(late.pk) in listed(denominator)


def test_drill_down_pages_without_counting(leader, refreshed, monkeypatch):
    monkeypatch.setattr("civicdesk.dashboard.views.PAGE_SIZE", 3)
    client = login(leader)
    first = client.get(f"{DRILL}?{MARCH_QUERY}")
    assert len(listed(first)) == 3 and 'id="next-page"' in first.content.decode()
    third = client.get(f"{DRILL}?{MARCH_QUERY}&page=3")
    assert len(listed(third)) == 2 and 'id="next-page"' not in third.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2025-03-31&until=2025-03-01", "must end on or after"),
        ("since=2024-01-01&until=2025-03-01", "at most one year"),
        (f"{MARCH_QUERY}&unit=no-such-unit", "Select a valid choice"),
        (f"{MARCH_QUERY}&rate=response", "Say which side of the rate"),
        (f"{MARCH_QUERY}&rate=speed&part=numerator", "Select a valid choice"),
        (f"{MARCH_QUERY}&level=9", "Select a valid choice"),
        (f"{MARCH_QUERY}&level=1&channel=1", "one figure at a time"),
        (f"{MARCH_QUERY}&category=abc", "category number"),
        (f"{MARCH_QUERY}&day=2025-04-05", "inside the period"),
        (f"{MARCH_QUERY}&page=0", "greater than or equal to 1"),
        ("since=yesterday&until=2025-03-01", "Enter a valid date"),
    ],
)
def test_bad_drill_down_filters_are_refused_with_a_reason(leader, refreshed, query, message):
    response = login(leader).get(f"{DRILL}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bad_dashboard_filters_are_refused_with_a_reason(leader, citizen, refreshed):
    query = "since=2025-03-31&until=2025-03-01"
    for client, url in ((login(leader), STAFF), (citizen, "/dashboard/")):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400
        assert "must end on or after" in response.content.decode()


def test_public_dashboard_shows_aggregates_only(citizen, refreshed):
    response = citizen.get(f"/dashboard/?{MARCH_QUERY}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/dashboard/staff/" not in body
    assert "dashboard-map" not in body
    for case in refreshed:
        assert case.tracking_code not in body
    assert 'data-chart="chart-aspect"' in body
    # The public may pick the units the appraisal compares, not any unit.
    assert citizen.get(f"/dashboard/?{MARCH_QUERY}&unit=urban").status_code == 200
    assert citizen.get(f"/dashboard/?{MARCH_QUERY}&unit=urban-window").status_code == 400


def test_export_has_a_sheet_per_chart_with_the_page_numbers(leader, refreshed):
    response = login(leader).get(f"{STAFF}export.xlsx?{MARCH_QUERY}&unit=urban")
    assert response.status_code == 200
    assert (
        'filename="dashboard-2025-03-01-2025-03-31-urban.xlsx"' in response["Content-Disposition"]
    )
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "Channels",
        "Aspects",
        "Categories",
        "Days",
        "Units",
        "Trend",
        "Ratings",
        "Commitments",
        "Problems",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Cases received"] == 4
    units = list(book["Units"].iter_rows(values_only=True))
    total = units[1]
    assert total[1] == "Total"
    assert total[2] == 4  # cases received by urban's subtree, none merged
    assert units[0][3] == "Response rate"
    assert total[3:6] == (0.25, 1, 4)


def test_a_fresh_install_says_the_figures_are_not_computed_yet(leader):
    body = login(leader).get(STAFF).content.decode()
    assert "have not been computed yet" in body


def test_dashboard_query_count_does_not_grow_with_the_data(
    leader, refreshed, make_case, django_assert_max_num_queries
):
    client = login(leader)
    client.get(STAFF)  # warm the session and caches
    with django_assert_max_num_queries(30):
        client.get(f"{STAFF}?{MARCH_QUERY}")
    for _ in range(20):
        make_case()
    aggregate.refresh()
    with django_assert_max_num_queries(30):
        client.get(f"{STAFF}?{MARCH_QUERY}")


def test_problems_are_ranked_by_the_heat_of_their_cases_in_the_period(leader, refreshed, units):
    from civicdesk.problems.models import Problem

    cold = Problem.objects.create(title="路灯不亮", lead_unit=units["urban"])
    hot = Problem.objects.create(title="道路积水", lead_unit=units["urban"])
    cold.cases.add(refreshed[0])
    hot.cases.add(refreshed[1], refreshed[2], refreshed[6])  # the last one: February

    client = login(leader)
    page = client.get(f"{STAFF}?{MARCH_QUERY}").content.decode()
    fragment = re.search(r'id="problems" hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    problems = client.get(fragment)
    assert problems.status_code == 200
    body = problems.content.decode()
    assert body.index("道路积水") < body.index("路灯不亮")
    assert [(p.title, p.case_count) for p in problems.context["problems"]] == [
        ("道路积水", 2),
        ("路灯不亮", 1),
    ]
    market = client.get(f"{STAFF}problems/?{MARCH_QUERY}&unit=market").content.decode()
    assert "道路积水" not in market
    # The public fragment lists the same problems, linked to their public pages.
    public = Client().get(f"/dashboard/problems/?{MARCH_QUERY}").content.decode()
    assert "/commitments/" in public and "/staff/" not in public
    assert login(leader).get(f"{STAFF}problems/?since=x").status_code == 400


def test_map_squares_lead_to_the_cases_in_them(leader, make_case):
    from decimal import Decimal

    near = [Decimal("30.27411"), Decimal("30.27455")]  # one square of a thousandth of a degree
    cases = [make_case(latitude=lat, longitude=Decimal("120.15512")) for lat in near]
    far = make_case(latitude=Decimal("30.28011"), longitude=Decimal("120.15512"))
    make_case()  # no place
    aggregate.refresh()
    client = login(leader)
    assert 'data-squares-url="/dashboard/staff/map.json?' in client.get(STAFF).content.decode()
    squares = client.get(f"{STAFF}map.json").json()["squares"]
    assert [(s["square"], s["count"]) for s in squares] == [
        ("30274,120155", 2),
        ("30280,120155", 1),
    ]
    listed_near = listed(client.get(squares[0]["url"]))
    assert sorted(listed_near) == sorted(str(c.pk) for c in cases)
    assert listed(client.get(squares[1]["url"])) == [str(far.pk)]
    bad = client.get(f"{DRILL}?square=north")
    assert bad.status_code == 400 and "two whole numbers" in bad.content.decode()


def test_follow_ups_without_an_answer_are_beside_the_resolution_rate(leader, citizen, refreshed):
    """Issue 13, item 1, on the staff and the public dashboard: the resolution rate counts the
    follow-ups that got an answer, and the one that got none is shown beside it; on the
    staff dashboard it leads to its case."""
    staff = login(leader).get(f"{STAFF}?{MARCH_QUERY}").content.decode()
    public = citizen.get(f"/dashboard/?{MARCH_QUERY}").content.decode()

    kpi = staff.split('data-rate="resolution"')[1].split('<div class="kpi card"')[0]
    assert '<div class="kpi-value">75.0%</div>' in kpi
    link = re.search(r'without an answer: <a href="([^"]+)">1</a>', kpi).group(1)
    assert "rate=no_answer" in link and "part=numerator" in link
    unanswered = FollowUp.objects.get(status=FollowUpStatus.NO_ANSWER).case_id
    assert listed(login(leader).get(link.replace("&amp;", "&"))) == [str(unanswered)]
    public_kpi = public.split('data-rate="resolution"')[1].split('<div class="kpi card"')[0]
    assert '<div class="kpi-value">75.0%</div>' in public_kpi
    assert "Follow-ups without an answer: 1</span>" in public_kpi
    assert "/dashboard/staff/" not in public
