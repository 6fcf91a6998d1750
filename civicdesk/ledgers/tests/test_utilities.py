"""Utilities: versioned public disclosure pages and deviation reports that become cases."""

import pytest

from civicdesk.cases.workflow import Status
from civicdesk.conftest import login
from civicdesk.intake.models import Submission
from civicdesk.ledgers.models import Disclosure, Utility, UtilityKind


@pytest.fixture
def water(units, admin_user):
    client = login(admin_user)
    response = client.post(
        "/ledgers/utilities/manage/",
        {"name": "示范区自来水公司", "kind": UtilityKind.WATER, "unit": units["east-street"].pk},
    )
    utility = Utility.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ledgers/utilities/{utility.pk}/publish/"
    for n in (1, 2):
        response = client.post(
            f"/ledgers/utilities/{utility.pk}/publish/",
            {"service_standards": f"报修后{24 // n}小时内上门", "procedures": f"程序 v{n}",
             "fees": f"收费 v{n}", "legal_conditions": f"法律 v{n}"},
        )  # fmt: skip
        assert response.status_code == 302
    return utility


def test_versioned_public_pages(water, citizen):
    v1, v2 = Disclosure.objects.order_by("version")
    assert (v1.version, v2.version) == (1, 2)
    assert v1.service_standards == "报修后24小时内上门"  # the old version was not edited

    listing = citizen.get("/ledgers/utilities/")
    assert listing.status_code == 200
    assert "示范区自来水公司" in listing.content.decode()

    latest = citizen.get(f"/ledgers/utilities/{water.pk}/").content.decode()
    assert "报修后12小时内上门" in latest
    assert "报修后24小时内上门" not in latest
    assert f"/ledgers/utilities/{water.pk}/versions/1/" in latest

    old = citizen.get(f"/ledgers/utilities/{water.pk}/versions/1/")
    assert old.status_code == 200
    assert "报修后24小时内上门" in old.content.decode()
    assert "This is an older version." in old.content.decode()
    assert citizen.get(f"/ledgers/utilities/{water.pk}/versions/9/").status_code == 404


def test_deviation_report_becomes_a_case_for_the_utility(water, citizen, units):
    v2 = Disclosure.objects.get(version=2)
    response = citizen.post(
        f"/ledgers/utilities/{water.pk}/report/",
        {"version": v2.pk, "section": "service_standards",
         "description": "报修三天无人上门", "contact_phone": "13800000000"},
    )  # fmt: skip
    submission = Submission.objects.get()
    case = submission.case
    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.tracking_code}/"
    assert submission.channel.code == "utility_deviation"
    assert submission.source_details == {
        "utility": water.pk, "disclosure_version": 2, "section": "service_standards",
    }  # fmt: skip
    assert "报修三天无人上门" in submission.description
    assert case.unit == units["east-street"]
    assert case.status == Status.ASSIGNED
    status_page = citizen.get(response["Location"])
    assert status_page.status_code == 200
    assert case.tracking_code in status_page.content.decode()


def test_deviation_report_needs_a_description_and_is_rate_limited(water, citizen, settings):
    url = f"/ledgers/utilities/{water.pk}/report/"
    response = citizen.post(url, {"section": "fees", "description": ""})
    assert response.status_code == 400
    assert not Submission.objects.exists()

    from django.core.cache import cache

    cache.clear()
    settings.CIVICDESK_SUBMISSION_RATE_LIMIT = "1/h"
    assert citizen.post(url, {"section": "fees", "description": "多收费"}).status_code == 302
    response = citizen.post(url, {"section": "fees", "description": "又多收费"})
    assert response.status_code == 429
    assert "Too many reports" in response.content.decode()
    assert Submission.objects.count() == 1


def test_unpublished_utility_is_not_public(units, admin_user, citizen):
    utility = Utility.objects.create(name="燃气", kind=UtilityKind.GAS, unit=units["market"])
    assert citizen.get(f"/ledgers/utilities/{utility.pk}/").status_code == 404
    assert citizen.get(f"/ledgers/utilities/{utility.pk}/report/").status_code == 404
    assert "燃气" not in citizen.get("/ledgers/utilities/").content.decode()


def test_only_staff_publish(water, citizen, other_handler, leader, units):
    url = f"/ledgers/utilities/{water.pk}/publish/"
    assert citizen.get(url).status_code == 302  # to the login page
    assert login(other_handler).get(url).status_code == 404
    assert login(leader).get(url).status_code == 404
    assert Disclosure.objects.count() == 2


def test_utilities_export(water, supervisor, citizen):
    from civicdesk.ledgers.tests.conftest import read_xlsx

    response = login(supervisor).get("/ledgers/utilities/export.xlsx")
    assert response.status_code == 200
    rows = read_xlsx(response.content)
    assert rows[1][:4] == ["示范区自来水公司", "Water", "east-street", 2]
    assert rows[1][4] == "报修后12小时内上门"
    assert citizen.get("/ledgers/utilities/export.xlsx").status_code == 302
