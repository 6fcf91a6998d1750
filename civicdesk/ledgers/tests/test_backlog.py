"""The enterprise case backlog: filled through its pages, ages and ageing buckets."""

import re
from datetime import date, timedelta

from django.utils import timezone

from civicdesk.conftest import login
from civicdesk.ledgers import services
from civicdesk.ledgers.models import BacklogCase, Enterprise, LedgerEvent, Stage, ageing_bucket
from civicdesk.ledgers.tests.conftest import CODE_A


def test_clerk_adds_a_case_and_closes_it_through_the_pages(units, clerk):
    client = login(clerk)
    response = client.post(
        "/ledgers/backlog/new/",
        {
            "case_number": "(2023)浙0106民初1234号",
            "court_or_agency": "西湖区人民法院",
            "enterprise_name": "东苑机械有限公司",
            "credit_code": CODE_A,
            "filed_on": "2023-03-01",
            "stage": Stage.HEARING,
            "target_close_on": "2024-03-01",
            "unit": units["urban"].pk,
        },
    )
    case = BacklogCase.objects.get()
    assert response.status_code == 302
    assert case.enterprise == Enterprise.objects.get(credit_code=CODE_A)
    assert case.stage == Stage.HEARING

    # Closing needs a closing date.
    response = client.post(f"/ledgers/backlog/{case.pk}/", {"stage": Stage.CLOSED})
    assert response.status_code == 400
    assert "A closed case needs the date it was closed." in response.content.decode()
    response = client.post(
        f"/ledgers/backlog/{case.pk}/", {"stage": Stage.CLOSED, "closed_on": "2023-06-30"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.age_days() == (date(2023, 6, 30) - date(2023, 3, 1)).days == 121
    event = LedgerEvent.objects.filter(chain="backlog").last()
    assert event.action == "update"
    assert event.changes["stage"] == [Stage.HEARING, Stage.CLOSED]


def test_duplicate_case_number_is_refused(units, clerk):
    data = {"case_number": "A-1", "court_or_agency": "法院", "enterprise_name": "甲",
            "filed_on": "2024-01-01", "stage": Stage.FILED}  # fmt: skip
    client = login(clerk)
    assert client.post("/ledgers/backlog/new/", data).status_code == 302
    response = client.post("/ledgers/backlog/new/", data)
    assert response.status_code == 400
    assert "already in the ledger" in response.content.decode()
    assert BacklogCase.objects.count() == 1


def test_bucket_edges():
    assert [ageing_bucket(d) for d in (0, 89, 90, 179, 180, 365, 366)] == [
        "under_90", "under_90", "90_180", "90_180", "180_365", "180_365", "over_365",
    ]  # fmt: skip


def test_ageing_buckets_on_the_ledger_page(units, clerk, leader):
    today = timezone.localdate()
    for n, days in enumerate([10, 89, 90, 200, 365, 366, 1000]):
        services.backlog_create(
            case_number=f"C-{n}", court_or_agency="法院", enterprise_name="甲",
            filed_on=today - timedelta(days=days), actor=clerk,
        )  # fmt: skip
    # A closed case counts as closed, not in a bucket, whatever its age.
    services.backlog_create(
        case_number="C-closed", court_or_agency="法院", enterprise_name="甲",
        filed_on=today - timedelta(days=500), stage=Stage.CLOSED,
        closed_on=today - timedelta(days=100), actor=clerk,
    )  # fmt: skip

    response = login(leader).get("/ledgers/backlog/")
    assert response.status_code == 200
    counts = {b["key"]: b["count"] for b in response.context["buckets"]}
    assert counts == {"under_90": 2, "90_180": 1, "180_365": 2, "over_365": 2}
    assert response.context["n_pending"] == 7
    assert response.context["n_closed"] == 1
    ages = {row["case"].case_number: row["age"] for row in response.context["rows"]}
    assert ages["C-3"] == 200
    assert ages["C-closed"] == 400
    assert re.search(r'data-bucket="over_365"[^>]*>2<', response.content.decode())
