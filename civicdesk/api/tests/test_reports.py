"""Confidential reports through the API: each ledger only for its audience (intermediary
reports for discipline inspectors alone), every read logged, conflicts of interest hidden."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.accounts.models import Role, User
from civicdesk.reports import services
from civicdesk.reports.models import Report, ReportAccess
from civicdesk.reports.workflow import Ledger

REPORTS = "/api/v1/reports"


@pytest.fixture
def inaction(units):
    data = services.NewReport(description="窗口推诿不办", reported_unit=units["market"])
    return services.report_file(ledger=Ledger.INACTION, data=data, filed_by=None)[0]


@pytest.fixture
def intermediary(units):
    data = services.NewReport(description="中介收费包办审批", setting="approval")
    return services.report_file(ledger=Ledger.INTERMEDIARY, data=data, filed_by=None)[0]


def views(report: Report) -> list[str]:
    return list(ReportAccess.objects.filter(report=report).values_list("view", flat=True))


@pytest.mark.django_db
def test_supervisor_lists_and_reads_inaction_reports_and_each_read_is_logged(
    api_as, supervisor, inaction
):
    client = api_as(supervisor)

    listed = client.get(f"{REPORTS}/inaction")
    detail = client.get(f"{REPORTS}/inaction/{inaction.pk}")

    assert listed.status_code == 200
    assert listed["Cache-Control"] == "no-store, private"
    assert [r["id"] for r in listed.json()["items"]] == [inaction.pk]
    assert detail.json()["description"] == "窗口推诿不办"
    assert views(inaction) == ["list", "detail"]
    # The detail shows the log up to and including this read.
    assert [a["view"] for a in detail.json()["accesses"]] == ["detail", "list"]


@pytest.mark.django_db
def test_intermediary_reports_are_for_discipline_inspectors_only(
    api_as, admin_user, supervisor, leader, handler, discipline, intermediary
):
    for user in (admin_user, supervisor, leader, handler):
        client = api_as(user)
        assert client.get(f"{REPORTS}/intermediary").status_code == 404, user
        assert client.get(f"{REPORTS}/intermediary/{intermediary.pk}").status_code == 404, user
        assert (
            client.post(f"{REPORTS}/intermediary/{intermediary.pk}/investigate", {}).status_code
            == 404
        )
    assert views(intermediary) == []
    client = api_as(discipline)
    assert client.get(f"{REPORTS}/intermediary/{intermediary.pk}").status_code == 200
    assert client.get(f"{REPORTS}/inaction").status_code == 404
    assert views(intermediary) == ["detail"]


@pytest.mark.django_db
def test_reports_against_the_callers_own_unit_are_hidden(api_as, units, inaction):
    market_supervisor = User.objects.create_user(
        username="market-sup", password="x", role=Role.SUPERVISOR, unit=units["market"]
    )
    client = api_as(market_supervisor)

    assert client.get(f"{REPORTS}/inaction").json()["count"] == 0
    assert client.get(f"{REPORTS}/inaction/{inaction.pk}").status_code == 404


@pytest.mark.django_db
def test_the_workflow_with_findings_notes_and_replies(api_as, discipline, intermediary):
    client = api_as(discipline)
    url = f"{REPORTS}/intermediary/{intermediary.pk}"

    assert client.post(f"{url}/investigate", {}).json()["status"] == "investigating"
    no_finding = client.post(f"{url}/substantiate", {"note": "  "})
    assert no_finding.status_code == 422
    assert client.post(f"{url}/note", {"note": "约谈中介"}).status_code == 200
    replied = client.post(f"{url}/reply", {"note": "已受理，正在核查"})
    assert replied.json()["events"][-1]["is_public"] is True
    assert client.post(f"{url}/substantiate", {"note": "属实"}).json()["status"] == "substantiated"
    assert client.post(f"{url}/close", {}).status_code == 200
    too_late = client.post(f"{url}/note", {"note": "x"})
    assert too_late.status_code == 409
    intermediary.refresh_from_db()
    assert intermediary.status == "closed"
    assert views(intermediary).count("action") == 6


@pytest.mark.django_db
def test_inaction_reports_take_no_reply(api_as, supervisor, inaction):
    response = api_as(supervisor).post(f"{REPORTS}/inaction/{inaction.pk}/reply", {"note": "x"})

    assert response.status_code == 409


@pytest.mark.django_db
def test_any_staff_member_files_an_inaction_report_once(api_as, handler, supervisor):
    body = {
        "reported_unit": "market",
        "description": "推诿",
        "contact_phone": "13912345678",
        "form_token": "0b6e2a4c-3f2d-4a59-9a63-6f4c1c1f2b11",
    }

    first = api_as(handler).post(f"{REPORTS}/inaction/filings", body)
    again = api_as(handler).post(f"{REPORTS}/inaction/filings", body)
    by_supervisor = api_as(supervisor).post(
        f"{REPORTS}/inaction/filings", body | {"form_token": None}
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] is None  # the handler may not read the ledger
    assert again.json()["again"] is True
    assert by_supervisor.json()["id"] == Report.objects.order_by("-pk").first().pk
    assert Report.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reported_unit": "atlantis"}, "reported_unit"),
        ({"description": ""}, "description"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"contact_email": "not-an-address"}, "contact_email"),
    ],
)
def test_bad_filings_name_the_field(api_as, clerk, fields, field):
    body = {"reported_unit": "market", "description": "推诿"} | fields

    response = api_as(clerk).post(f"{REPORTS}/inaction/filings", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith(f"{field}: ")
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_import_is_for_the_audience_and_all_or_nothing(api_as, supervisor, handler):
    client = api_as(supervisor)
    workbook = openpyxl.Workbook()
    workbook.active.append(["nothing useful"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("reports.xlsx", buffer.getvalue())

    refused = client.upload(f"{REPORTS}/inaction/import", {"file": upload})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"].startswith("file: ")
    upload.seek(0)
    assert api_as(handler).upload(f"{REPORTS}/inaction/import", {"file": upload}).status_code == 404
    assert not Report.objects.exists()
