"""Allegations of misconduct (不作为乱作为) and of collusion with black intermediaries (黑中介)
become confidential reports for their audiences, never ordinary cases, whatever the channel:
the web form, the JSON API, Open311, staff recording an opinion, message imports."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.accounts.models import ApiToken, Role, User
from civicdesk.cases.models import Case, Category
from civicdesk.conftest import PASSWORD, login
from civicdesk.intake.models import Channel, IdempotencyKey, Submission
from civicdesk.intake.routing import confidential_routing
from civicdesk.intake.services import NewSubmission, receive, submissions_create_bulk
from civicdesk.reports.models import Report, ReportAccess, Source
from civicdesk.reports.workflow import Ledger

pytestmark = pytest.mark.django_db

MISCONDUCT = "街道城管中队长期不作为，占道经营投诉了半年，每次都说已处理。"
INTERMEDIARY = "政务服务中心门口有人自称能内部加急，收费800元代办营业执照。"
CODE = r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]"


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def assert_no_case() -> None:
    assert Submission.objects.count() == 0 and Case.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0


@pytest.fixture
def inspector(units) -> User:
    return User.objects.create_user(
        username="inspector", password=PASSWORD, role=Role.DISCIPLINE, unit=units["district"]
    )


# --- the decision ------------------------------------------------------------------------------


def test_the_category_decides_and_without_one_explicit_words_do():
    assert confidential_routing(category=category("inaction"), description="x").ledger == (
        Ledger.INACTION
    )
    intermediary = category("black-intermediaries")
    assert confidential_routing(category=intermediary, description="x").ledger == (
        Ledger.INTERMEDIARY
    )
    # A category under a ledger's category counts as it.
    child = Category.objects.create(
        code="inaction-roads", name="道路不作为", parent=category("inaction")
    )
    assert confidential_routing(category=child, description="x").ledger == Ledger.INACTION
    # The person's chosen ordinary category stands; so does an ordinary text.
    assert confidential_routing(category=category("street-lights"), description="吃拿卡要") is None
    assert confidential_routing(category=None, description="物业不作为，电梯坏了") is None
    assert confidential_routing(category=None, description="窗口吃拿卡要").ledger == Ledger.INACTION


# --- the web form ------------------------------------------------------------------------------


def report_form(**fields) -> dict:
    data = {
        "description": MISCONDUCT,
        "form_token": str(uuid.uuid4()),
        "category": category("inaction").pk,
        "address": "东街 8 号",
        "latitude": "",
        "longitude": "",
        "contact_name": "李女士",
        "contact_phone": "13800138000",
        "contact_email": "",
        "enterprise_name": "",
        "enterprise_credit_code": "",
    }
    return data | fields


def test_web_form_misconduct_goes_to_the_supervisors(citizen, supervisor, clerk):
    page = citizen.post("/report/", report_form())
    assert page.status_code == 201
    assert 'id="routed-notice"' in page.content.decode()
    assert "/track/" not in page.get("Location", "")
    assert_no_case()
    report = Report.objects.get()
    assert (report.ledger, report.source, report.channel) == (
        Ledger.INACTION,
        Source.PUBLIC,
        "snapshot",
    )
    assert report.description == MISCONDUCT and report.place == "东街 8 号"
    assert (report.contact_name, report.contact_phone) == ("李女士", "13800138000")
    assert report.reported_unit is None
    # Its audience reads it (and is logged); an intake clerk does not.
    detail = login(supervisor).get(f"/reports/staff/inaction/{report.pk}/")
    assert detail.status_code == 200 and MISCONDUCT in detail.content.decode()
    assert ReportAccess.objects.filter(report=report, user=supervisor).exists()
    assert login(clerk).get(f"/reports/staff/inaction/{report.pk}/").status_code == 404


def test_web_form_intermediary_gives_the_followup_code_once(citizen, inspector):
    data = report_form(description=INTERMEDIARY, category=category("black-intermediaries").pk)
    page = citizen.post("/report/", data)
    assert page.status_code == 201 and page["Cache-Control"] == "no-store, private"
    body = page.content.decode()
    assert 'id="followup-code"' in body
    report = Report.objects.get()
    assert report.ledger == Ledger.INTERMEDIARY and report.followup_digest
    # The same page sent again files nothing and shows no code.
    again = citizen.post("/report/", data)
    assert again.status_code == 200 and 'id="already-received"' in again.content.decode()
    assert Report.objects.count() == 1
    assert_no_case()
    assert login(inspector).get(f"/reports/staff/intermediary/{report.pk}/").status_code == 200


# --- the JSON API ------------------------------------------------------------------------------


def test_api_submission_with_a_misconduct_category_is_a_confidential_report():
    client = Client()
    body = {"description": MISCONDUCT, "channel": "snapshot", "category": "inaction"}
    response = client.post("/api/v1/submissions", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["confidential"] is True and data["ledger"] == "inaction"
    assert data["followup_code"] is None and "tracking_code" not in data
    assert_no_case()
    assert Report.objects.get().channel == "snapshot"


def test_api_intermediary_report_and_its_retry():
    client = Client()
    body = {"description": INTERMEDIARY, "channel": "snapshot", "category": "black-intermediaries"}
    headers = {"Idempotency-Key": "app-7f3e"}
    first = client.post(
        "/api/v1/submissions", body, content_type="application/json", headers=headers
    )
    assert first.status_code == 201
    assert first.json()["ledger"] == "intermediary"
    assert re.fullmatch(CODE, first.json()["followup_code"])
    retry = client.post(
        "/api/v1/submissions", body, content_type="application/json", headers=headers
    )
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["followup_code"] is None
    assert Report.objects.count() == 1
    assert_no_case()


def test_api_staff_recording_in_person(clerk):
    body = {
        "description": MISCONDUCT,
        "channel": "window",
        "category": "inaction",
        "heard_at": "政务服务中心3号窗口",
        "heard_on": (timezone.now() - timedelta(hours=1)).isoformat(),
        "consent_contact": True,
        "contact_name": "李女士",
        "contact_phone": "13800138000",
    }
    _token, raw = ApiToken.issue(user=clerk, name="window app")
    response = Client().post(
        "/api/v1/submissions/in-person",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["confidential"] is True
    report = Report.objects.get()
    assert (report.source, report.filed_by, report.channel) == (Source.STAFF, clerk, "window")
    assert_no_case()


# --- Open311 -----------------------------------------------------------------------------------


@pytest.fixture
def open311_key(settings, clerk) -> str:
    settings.CIVICDESK_OPEN311_JURISDICTION = "civicdesk.test"
    return ApiToken.issue(user=clerk, name="Street app")[1]


def open311_post(key: str, **fields):
    data = {"jurisdiction_id": "civicdesk.test", "api_key": key, "address_string": "东街 8 号"}
    return Client().post("/open311/v2/requests.json", data | fields)


def test_open311_misconduct_service_files_a_confidential_report(open311_key):
    response = open311_post(open311_key, service_code="inaction", description=MISCONDUCT)
    assert response.status_code == 201, response.content
    [created] = response.json()
    assert created["service_request_id"] is None and created["service_notice"]
    assert_no_case()
    report = Report.objects.get()
    assert (report.ledger, report.channel) == (Ledger.INACTION, "open311")


def test_open311_intermediary_notice_carries_the_followup_code(open311_key):
    response = open311_post(
        open311_key, service_code="black-intermediaries", description=INTERMEDIARY
    )
    assert response.status_code == 201
    [created] = response.json()
    assert re.search(CODE, created["service_notice"])
    assert Report.objects.get().ledger == Ledger.INTERMEDIARY
    assert_no_case()


# --- staff recording an opinion heard in person ------------------------------------------------


def test_staff_recording_an_allegation_at_a_window(leader):
    data = {
        "channel": Channel.objects.get(code="leader_window").pk,
        "heard_at": "政务服务中心3号窗口",
        "heard_by": "王区长",
        "heard_on": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "description": INTERMEDIARY,
        "category": category("black-intermediaries").pk,
        "address": "",
        "contact_name": "李女士",
        "contact_phone": "13800138000",
        "contact_email": "",
        "consent_contact": "no",
        "form_token": str(uuid.uuid4()),
    }
    page = login(leader).post("/staff/record/", data)
    assert page.status_code == 201 and 'id="followup-code"' in page.content.decode()
    report = Report.objects.get()
    assert (report.source, report.filed_by) == (Source.STAFF, leader)
    # The person asked not to be contacted: the report keeps no contact details.
    assert report.is_anonymous
    assert_no_case()


# --- imports -----------------------------------------------------------------------------------


def test_imported_allegation_is_filed_once(clerk):
    channel = Channel.objects.get(code="chat_group")
    items = [
        NewSubmission(
            channel=channel,
            description="窗口工作人员吃拿卡要，不给好处就拖着不办。",
            external_id="imp:x:1",
            recorded_by=clerk,
        ),
        NewSubmission(
            channel=channel, description="东街路灯不亮", external_id="imp:x:2", recorded_by=clerk
        ),
    ]
    cases = submissions_create_bulk(items=items)
    assert len(cases) == 1 and Submission.objects.get().external_id == "imp:x:2"
    report = Report.objects.get()
    assert (report.source, report.external_id, report.followup_digest) == (
        Source.IMPORT,
        "imp:x:1",
        "",
    )
    # The same message again: receive() recognises it.
    again = receive(data=items[0])
    assert not again.created and again.report == report and Report.objects.count() == 1
