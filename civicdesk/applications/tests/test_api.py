"""The hall's API: an applicant without an account, staff with tokens, the inspectors' lists."""

import pytest
from django.test import Client

from civicdesk.accounts.models import ApiToken, Role, User
from civicdesk.applications.models import Application
from civicdesk.applications.tests.conftest import CREDIT_CODE, last_code, material_ids, pdf
from civicdesk.integrity.models import SignalAccess

pytestmark = pytest.mark.django_db
BASE = "/api/v1/hall"


def token_client(user: User) -> Client:
    _token, raw = ApiToken.issue(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def apply(client: Client, version, *, missing=(), **fields):
    ids = material_ids(version)
    chosen = [pk for name, pk in ids.items() if name not in missing and name != "经营场所平面图"]
    data = {
        "version": version.pk,
        "applicant_type": "enterprise",
        "applicant_name": "杭州味道餐饮有限公司",
        "credit_code": CREDIT_CODE,
        "contact_phone": "13800138000",
        "file_materials": chosen,
        "files": [pdf(f"{pk}.pdf") for pk in chosen],
        **fields,
    }
    return client.post(f"{BASE}/applications", data)


def test_applicant_and_staff_through_the_api(version, window_clerk, reviewer):
    matters = Client().get(f"{BASE}/matters").json()
    assert [m["code"] for m in matters] == ["food-license"]
    assert [s["kind"] for s in matters[0]["steps"]] == ["accept", "review", "inspect", "issue"]

    response = apply(Client(), version, missing=("营业执照",))
    assert response.status_code == 201, response.content
    body = response.json()
    code, token = body["tracking_code"], body["access_token"]
    mine = Client(headers={"X-Applicant-Token": token}).get(f"{BASE}/applications/{code}")
    assert mine.status_code == 200 and mine.json()["visits"] == 0
    assert Client().get(f"{BASE}/applications/{code}").status_code == 403

    clerk = token_client(window_clerk)
    application = Application.objects.get()
    detail = clerk.get(f"{BASE}/staff/applications/{application.pk}").json()
    assert "notice" in detail["allowed_actions"] and "accept" in detail["allowed_actions"]
    for line in detail["materials"]:
        if line["state"] == "provided":
            response = clerk.post(
                f"{BASE}/staff/applications/{application.pk}/check",
                {"material": line["id"], "accept": True},
                content_type="application/json",
            )
            assert response.status_code == 200
    response = clerk.post(
        f"{BASE}/staff/applications/{application.pk}/notice", {}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["notices"][0]["materials"] == ["营业执照"]

    # The applicant, on another device: one-time code, then the missing licence.
    phone = Client()
    sent = phone.post(f"{BASE}/applications/{code}/code").json()["sent_to"]
    assert sent.endswith("8000") and "1380013" not in sent
    wrong = phone.post(
        f"{BASE}/applications/{code}/session", {"otp": "000000"}, content_type="application/json"
    )
    assert wrong.status_code == 403 and "tries left" in wrong.json()["detail"]
    session = phone.post(
        f"{BASE}/applications/{code}/session",
        {"otp": last_code()},
        content_type="application/json",
    ).json()
    line = next(m for m in detail["materials"] if m["name"] == "营业执照")
    supplied = Client(headers={"X-Applicant-Token": session["access_token"]}).post(
        f"{BASE}/applications/{code}/materials/{line['id']}", {"file": pdf()}
    )
    assert supplied.status_code == 200 and supplied.json()["status"] == "submitted"

    clerk.post(
        f"{BASE}/staff/applications/{application.pk}/check",
        {"material": line["id"], "accept": True},
        content_type="application/json",
    )
    assert (
        clerk.post(
            f"{BASE}/staff/applications/{application.pk}/accept",
            {},
            content_type="application/json",
        ).status_code
        == 200
    )
    # The reviewer may not work the acceptance; the clerk may not review.
    handler = token_client(reviewer)
    for action in ("take", "complete"):
        refused = clerk.post(
            f"{BASE}/staff/applications/{application.pk}/{action}",
            {},
            content_type="application/json",
        )
        assert refused.status_code == 403
        assert (
            handler.post(
                f"{BASE}/staff/applications/{application.pk}/{action}",
                {},
                content_type="application/json",
            ).status_code
            == 200
        )
    handler.post(
        f"{BASE}/staff/applications/{application.pk}/complete", {}, content_type="application/json"
    )
    issued = clerk.post(
        f"{BASE}/staff/applications/{application.pk}/complete", {}, content_type="application/json"
    ).json()
    assert issued["status"] == "issued" and issued["visits"] == 0
    figures = clerk.get(f"{BASE}/staff/figures").json()
    assert figures[0]["finished"] == 1 and figures[0]["online_share"] == 1.0
    review = next(step for step in figures[0]["steps"] if step["kind"] == "review")
    assert review["completed"] == 1 and review["handle_median_seconds"] is not None


def test_bad_input_is_422_naming_the_field(version):
    response = apply(Client(), version, credit_code="91330106MA2H0000X0")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("credit_code: Credit code:")
    ids = material_ids(version)
    response = Client().post(
        f"{BASE}/applications",
        {
            "version": version.pk,
            "applicant_type": "citizen",
            "applicant_name": "张三",
            "contact_phone": "13800138000",
            "file_materials": [ids["营业执照"]],
            "files": [pdf("x.pdf", b"")][:0] or [],
        },
    )
    assert response.status_code == 422
    assert "Name one requirement id for each file sent (0 files)." in response.text
    assert Application.objects.count() == 0


def test_staff_outside_the_matter_get_404(version, units):
    street = User.objects.create_user(
        username="street", password="x", role=Role.HANDLER, unit=units["east-street"]
    )
    response = apply(Client(), version)
    application = Application.objects.get(tracking_code=response.json()["tracking_code"])
    client = token_client(street)
    assert client.get(f"{BASE}/staff/applications/{application.pk}").status_code == 404
    assert client.get(f"{BASE}/staff/applications").json()["items"] == []


def test_second_notice_without_reason_is_422(version, window_clerk):
    from civicdesk.applications.services import material_supply

    apply(Client(), version, missing=("营业执照",))
    application = Application.objects.get()
    clerk = token_client(window_clerk)
    url = f"{BASE}/staff/applications/{application.pk}"

    def check_all(accept=True):
        for line in clerk.get(url).json()["materials"]:
            if line["state"] == "provided":
                body = {"material": line["id"], "accept": accept, "problem": "看不清"}
                clerk.post(f"{url}/check", body, content_type="application/json")

    check_all()
    assert clerk.post(f"{url}/notice", {}, content_type="application/json").status_code == 200
    # While waiting for the applicant the workflow refuses another notice.
    assert clerk.post(f"{url}/notice", {}, content_type="application/json").status_code == 409
    licence = application.materials.get(requirement__name="营业执照")
    material_supply(application=application, material=licence, upload=pdf())
    check_all(accept=False)
    refused = clerk.post(f"{url}/notice", {}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"].startswith(
        "reason: Reason: the applicant was already told once"
    )
    assert application.notices.count() == 1


def test_publish_version_with_contradictions_is_422(version, supervisor, units):
    client = token_client(supervisor)
    body = {
        "time_limit_days": 10,
        "materials": [
            {"name": "营业执照", "kind": "required"},
            {"name": "营业执照", "kind": "optional"},
            {"name": "健康证明", "kind": "deferrable"},
        ],
        "steps": [
            {"kind": "review", "role": "", "unit": "market", "time_limit_days": 3},
            {"kind": "issue", "role": "clerk", "unit": "urban-window", "time_limit_days": 1},
        ],
    }
    response = client.post(
        f"{BASE}/staff/matters/food-license/versions", body, content_type="application/json"
    )
    assert response.status_code == 422
    messages = [error["msg"] for error in response.json()["detail"]]
    assert any("Material row 2 (营业执照): “营业执照” is already row 1" in m for m in messages)
    assert any("Material row 3 (健康证明): a material that may follow later" in m for m in messages)
    assert any(
        "Step row 1 (Review): choose the role that handles this step." in m for m in messages
    )
    assert any("The first step must be the acceptance" in m for m in messages)
    assert version.item.versions.count() == 1
    handler = token_client(
        User.objects.create_user(
            username="h", password="x", role=Role.HANDLER, unit=units["market"]
        )
    )
    assert (
        handler.post(
            f"{BASE}/staff/matters/food-license/versions", body, content_type="application/json"
        ).status_code
        == 403
    )


def test_integrity_api_is_for_inspectors_and_logged(discipline, supervisor):
    assert token_client(supervisor).get("/api/v1/integrity/stuck").status_code == 404
    response = token_client(discipline).get("/api/v1/integrity/agents")
    assert response.status_code == 200 and response.json() == []
    view = SignalAccess.objects.get()
    assert view.via == "api" and view.signal == "agents" and view.user == discipline
