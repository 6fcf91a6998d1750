"""GET requests without an api_key, as GeoReport v2 has it: the published requests (their
reporters agreed to publication), each named by its public id, never by the tracking code;
filtered by service_code, status, start_date and end_date; requests/{public id} for a
published request. A reporter's tracking code still works where it did."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.services import case_accept, case_answer, case_assign
from civicdesk.open311.tests.conftest import ROOT, errors_of, json_of, xml_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(make_case, street_lights, units, clerk, handler, photo):
    """An open published light report with a photo, an answered published one in another
    category, and one whose reporter did not agree to publication."""
    lights = make_case(
        description="东苑小区路灯不亮，电话13812345678",
        category=street_lights,
        consent_publish=True,
        photos=[photo],
    )
    answered = make_case(description="井盖破损", consent_publish=True)
    answered = case_assign(case=answered, unit=units["urban"], actor=clerk)
    answered = case_answer(
        case=case_accept(case=answered, actor=handler), actor=handler, text="已更换井盖。"
    )
    private = make_case(description="不公开的诉求", category=street_lights)
    return {"lights": lights, "answered": answered, "private": private}


def ids_of(response) -> list[str]:
    return [item["service_request_id"] for item in json_of(response)]


def test_search_without_a_key_lists_published_requests_by_public_id(
    citizen, published, georeport_schema
):
    response = citizen.get(f"{ROOT}/requests.json")
    assert response.status_code == 200
    data = json_of(response)
    georeport_schema("requests.json", data)
    assert ids_of(response) == [published["answered"].public_id, published["lights"].public_id]
    body = response.content.decode()
    for case in published.values():
        assert case.tracking_code not in body
    assert "不公开的诉求" not in body
    assert "13812345678" not in body
    lights = data[1]
    assert lights["status"] == "open" and lights["service_code"] == "street-lights"
    assert lights["media_url"] is None  # photos are not published
    root = xml_of(citizen.get(f"{ROOT}/requests.xml"))
    assert [item.findtext("service_request_id") for item in root] == ids_of(response)


def test_public_search_filters_as_the_spec_says(citizen, published):
    def search(**params):
        response = citizen.get(f"{ROOT}/requests.json", params)
        assert response.status_code == 200, response.content
        return ids_of(response)

    lights, answered = published["lights"].public_id, published["answered"].public_id
    assert search(service_code="street-lights") == [lights]
    assert search(status="open") == [lights]
    assert search(status="closed") == [answered]
    assert search(status="open,closed") == [answered, lights]
    today = timezone.localdate()
    assert search(start_date=(today - timedelta(days=1)).isoformat()) == [answered, lights]
    assert search(end_date=(today - timedelta(days=1)).isoformat()) == []
    assert search(start_date=(today + timedelta(days=1)).isoformat()) == []
    refused = citizen.get(
        f"{ROOT}/requests.json",
        {"start_date": "2026-01-01", "end_date": "2026-06-01", "status": "pending"},
    )
    assert refused.status_code == 400
    described = [text for _code, text in errors_of(refused)]
    assert any("span more than 90 days" in text for text in described)
    assert any("is not a status" in text for text in described)


def test_a_published_request_by_its_public_id(citizen, published, georeport_schema):
    lights = published["lights"]
    response = citizen.get(f"{ROOT}/requests/{lights.public_id}.json")
    assert response.status_code == 200
    data = json_of(response)
    georeport_schema("requests.json", data)
    assert data[0]["service_request_id"] == lights.public_id
    assert lights.tracking_code not in response.content.decode()
    by_ids = citizen.get(
        f"{ROOT}/requests.json",
        {"service_request_id": f"{published['answered'].public_id},{lights.public_id}"},
    )
    assert ids_of(by_ids) == [published["answered"].public_id, lights.public_id]
    token = json_of(citizen.get(f"{ROOT}/tokens/{lights.public_id}.json"))
    assert token == [{"service_request_id": lights.public_id, "token": lights.public_id}]
    private = published["private"]
    assert citizen.get(f"{ROOT}/requests/{private.public_id}.json").status_code == 404
    assert citizen.get(f"{ROOT}/tokens/{private.public_id}.json").status_code == 404


def test_the_tracking_code_still_works_as_before(citizen, published, api_key):
    private = published["private"]
    [item] = json_of(citizen.get(f"{ROOT}/requests/{private.tracking_code}.json"))
    assert item["service_request_id"] == private.tracking_code
    found = json_of(
        citizen.get(f"{ROOT}/requests.json", {"service_request_id": private.tracking_code})
    )
    assert [entry["service_request_id"] for entry in found] == [private.tracking_code]
    # With an api_key a search is the staff's view: every case the key may see, by code.
    staff = json_of(citizen.get(f"{ROOT}/requests.json", {"api_key": api_key}))
    assert {entry["service_request_id"] for entry in staff} == {
        case.tracking_code for case in published.values()
    }
