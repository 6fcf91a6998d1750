"""Discovery, services and requests read through HTTP, in JSON and XML, checked against the
database and the spec's JSON schemas."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.accounts.models import Role, User
from civicdesk.cases.models import Category
from civicdesk.cases.services import case_assign, case_merge
from civicdesk.open311.tests.conftest import (
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    ROOT,
    assert_w3c,
    errors_of,
    json_of,
    xml_of,
)

pytestmark = pytest.mark.django_db


def offered_categories() -> list[Category]:
    return [
        category
        for category in Category.objects.select_related("parent")
        if category.parent is not None and category.is_active and category.parent.is_active
    ]


def xml_items(root) -> list[dict]:
    return [{child.tag: child.text for child in item} for item in root]


def as_xml_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def assert_xml_matches_json(xml_root, json_items: list[dict]) -> None:
    expected = [{key: as_xml_text(value) for key, value in item.items()} for item in json_items]
    assert xml_items(xml_root) == expected


def test_discovery_names_this_endpoint_in_both_formats(citizen):
    data = json_of(citizen.get(f"{ROOT}/discovery.json"))
    assert_w3c(data["changeset"])
    assert data["contact"] and data["key_service"]
    assert data["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": data["changeset"],
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]
    root = xml_of(citizen.get(f"{ROOT}/discovery.xml"))
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    assert root.findtext("changeset") == data["changeset"]


def test_endpoint_root_leads_to_discovery(citizen):
    response = citizen.get(f"{ROOT}/")
    assert response.status_code == 302
    assert response["Location"] == f"{ROOT}/discovery.xml"


def test_services_are_the_categories_grouped_by_aspect(citizen, georeport_schema):
    Category.objects.filter(code="noise").update(is_active=False)
    data = json_of(citizen.get(f"{ROOT}/services.json"))
    georeport_schema("services.json", data)
    categories = offered_categories()
    assert [service["service_code"] for service in data] == [c.code for c in categories]
    assert "noise" not in {service["service_code"] for service in data}
    assert "urban" not in {service["service_code"] for service in data}  # aspects are groups
    lights = next(service for service in data if service["service_code"] == "street-lights")
    assert lights["service_name"] == "Street lights"
    assert lights["group"] == "City building and management"
    assert lights["metadata"] is False
    assert lights["type"] == "realtime"
    assert "路灯照明" in lights["keywords"] and "路燈照明" in lights["keywords"]

    root = xml_of(citizen.get(f"{ROOT}/services.xml"))
    assert root.tag == "services"
    assert {item.tag for item in root} == {"service"}
    assert_xml_matches_json(root, data)


def test_services_speak_the_language_asked_for(citizen):
    data = json_of(citizen.get(f"{ROOT}/services.json", HTTP_ACCEPT_LANGUAGE="zh-hant"))
    lights = next(service for service in data if service["service_code"] == "street-lights")
    assert lights["service_name"] == "路燈照明"
    assert lights["group"] == "城市建設管理"


def test_service_definition_has_no_attributes(citizen, georeport_schema):
    data = json_of(citizen.get(f"{ROOT}/services/street-lights.json"))
    georeport_schema("service-definition.json", data)
    assert data == {"service_code": "street-lights", "attributes": []}
    root = xml_of(citizen.get(f"{ROOT}/services/street-lights.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "street-lights"
    assert list(root.find("attributes")) == []


@pytest.mark.parametrize("code", ["no-such-service", "urban"])
def test_unknown_service_definition_is_404_in_both_formats(citizen, code):
    response = citizen.get(f"{ROOT}/services/{code}.json")
    assert response.status_code == 404
    assert errors_of(response) == [(404, f"service_code “{code}” was not found.")]
    response = citizen.get(f"{ROOT}/services/{code}.xml")
    assert response.status_code == 404
    assert errors_of(response, "xml") == [(404, f"service_code “{code}” was not found.")]


def test_answered_request_shows_what_the_status_page_shows(
    citizen, answered_case, georeport_schema
):
    code = answered_case.tracking_code
    response = citizen.get(f"{ROOT}/requests/{code}.json")
    assert response.status_code == 200
    data = json_of(response)
    georeport_schema("requests.json", data)
    [item] = data
    answered_at = assert_w3c(item["updated_datetime"])
    assert answered_at == answered_case.answered_at.replace(microsecond=0)
    assert assert_w3c(item["requested_datetime"]) == answered_case.received_at.replace(
        microsecond=0
    )
    assert item["service_request_id"] == code
    assert item["status"] == "closed"
    assert item["status_notes"].endswith("您好，路灯已于今日修复。")
    assert item["service_code"] == "street-lights"
    assert item["service_name"] == "Street lights"
    assert item["description"].startswith("东苑小区路灯不亮，请联系我 ")
    assert item["agency_responsible"] == "城市管理局"
    assert item["service_notice"] is None
    assert item["expected_datetime"] is None
    assert item["address"] == "东苑小区3号楼门口"
    assert (item["lat"], item["long"]) == (30.2741, 120.1551)
    assert item["media_url"] is None
    body = response.content.decode()
    for private in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL, "线路老化"):
        assert private not in body

    root = xml_of(citizen.get(f"{ROOT}/requests/{code}.xml"))
    assert root.tag == "service_requests"
    assert [item.tag for item in root] == ["request"]
    assert_xml_matches_json(root, data)


def test_open_request_promises_the_answer_deadline(citizen, reported_case, georeport_schema):
    data = json_of(citizen.get(f"{ROOT}/requests/{reported_case.tracking_code}.json"))
    georeport_schema("requests.json", data)
    [item] = data
    assert item["status"] == "open"
    assert item["status_notes"] == "Received"
    assert assert_w3c(item["expected_datetime"]) == reported_case.answer_due_at.replace(
        microsecond=0
    )
    due = timezone.localdate(reported_case.answer_due_at).isoformat()
    assert item["service_notice"] == f"An official answer is due by {due}."
    assert item["agency_responsible"] is None


def test_status_notes_follow_the_latest_public_event(citizen, reported_case, units, clerk):
    case_assign(case=reported_case, unit=units["market"], actor=clerk, note="转市场监管局核查")
    [item] = json_of(citizen.get(f"{ROOT}/requests/{reported_case.tracking_code}.json"))
    assert item["status"] == "open"
    assert item["status_notes"] == "转市场监管局核查"
    assert item["agency_responsible"] == "市场监管局"


def test_merged_request_is_closed_and_names_the_surviving_one(citizen, make_case, clerk):
    duplicate, survivor = make_case(), make_case()
    case_merge(case=duplicate, into=survivor, actor=clerk)
    [item] = json_of(citizen.get(f"{ROOT}/requests/{duplicate.tracking_code}.json"))
    assert item["status"] == "closed"
    assert survivor.tracking_code in item["status_notes"]


def test_media_url_is_the_first_photo(citizen, make_case, photo, georeport_schema):
    case = make_case(photos=[photo])
    data = json_of(citizen.get(f"{ROOT}/requests/{case.tracking_code}.json"))
    georeport_schema("requests.json", data)
    image = case.submission.photos.get()
    assert data[0]["media_url"] == f"http://testserver{image.image.url}"


def test_text_that_xml_cannot_carry_is_dropped(citizen, make_case):
    case = make_case(description="路灯\x0b不亮 <b>&amp;</b>")
    root = xml_of(citizen.get(f"{ROOT}/requests/{case.tracking_code}.xml"))
    assert root.find("request").findtext("description") == "路灯不亮 <b>&amp;</b>"


def test_requests_by_id_list_keep_order_and_leave_out_unknown_ids(
    citizen, reported_case, answered_case, make_case, georeport_schema
):
    other = make_case()
    loose = other.tracking_code.replace("-", "").lower()
    ids = f"{answered_case.tracking_code},2222-2222-22,{loose}"
    response = citizen.get(f"{ROOT}/requests.json", {"service_request_id": ids})
    data = json_of(response)
    georeport_schema("requests.json", data)
    assert [item["service_request_id"] for item in data] == [
        answered_case.tracking_code,
        other.tracking_code,
    ]
    root = xml_of(citizen.get(f"{ROOT}/requests.xml", {"service_request_id": other.tracking_code}))
    assert [item.findtext("service_request_id") for item in root] == [other.tracking_code]


def test_ids_override_the_other_arguments(citizen, reported_case):
    response = citizen.get(
        f"{ROOT}/requests.json",
        {"service_request_id": reported_case.tracking_code, "status": "closed,bogus"},
    )
    assert [item["service_request_id"] for item in json_of(response)] == [
        reported_case.tracking_code
    ]


def test_searching_without_a_key_lists_published_requests_by_public_id(citizen, reported_case):
    """The reporter of reported_case did not agree to publication: a search without an
    api_key (civicdesk/open311/tests/test_public_search.py) does not list it."""
    response = citizen.get(f"{ROOT}/requests.json", {"status": "open"})
    assert response.status_code == 200
    assert json_of(response) == []
    assert reported_case.tracking_code not in response.content.decode()


def test_search_with_a_key_filters_by_service_status_and_dates(
    client, api_key, make_case, street_lights, units, clerk, handler, georeport_schema
):
    now = timezone.now()
    noise = Category.objects.get(code="noise")
    light_open = make_case(category=street_lights, received_at=now - timedelta(days=2))
    noise_open = make_case(category=noise, received_at=now - timedelta(days=1))
    light_closed = make_case(category=street_lights, received_at=now - timedelta(days=10))
    case_assign(case=light_closed, unit=units["urban"], actor=clerk)
    case_merge(case=light_closed, into=light_open, actor=clerk)
    too_old = make_case(category=street_lights, received_at=now - timedelta(days=100))

    def search(**params) -> list[str]:
        response = client.get(f"{ROOT}/requests.json", params | {"api_key": api_key})
        assert response.status_code == 200, response.content
        data = json_of(response)
        georeport_schema("requests.json", data)
        return [item["service_request_id"] for item in data]

    # The most recent 90 days by default, newest first.
    assert search() == [
        noise_open.tracking_code,
        light_open.tracking_code,
        light_closed.tracking_code,
    ]
    assert search(service_code="street-lights") == [
        light_open.tracking_code,
        light_closed.tracking_code,
    ]
    assert search(service_code="noise,street-lights", status="closed") == [
        light_closed.tracking_code
    ]
    assert search(status="open,closed") == search()
    assert search(status="open") == [noise_open.tracking_code, light_open.tracking_code]
    start = (now - timedelta(days=120)).isoformat()
    end = (now - timedelta(days=50)).isoformat()
    assert search(start_date=start, end_date=end) == [too_old.tracking_code]
    # Only an end: the 90 days before it (a bare date ends at the end of that day).
    assert search(end_date=(now - timedelta(days=15)).date().isoformat()) == [too_old.tracking_code]
    assert search(start_date=(now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")) == [
        noise_open.tracking_code,
        light_open.tracking_code,
    ]


def test_search_covers_only_what_the_keys_holder_may_see(
    client, open311_settings, key_for, handler, make_case, units, clerk
):
    ours, theirs = make_case(), make_case()
    case_assign(case=ours, unit=units["urban"], actor=clerk)
    case_assign(case=theirs, unit=units["market"], actor=clerk)
    response = client.get(f"{ROOT}/requests.json", HTTP_AUTHORIZATION=f"Bearer {key_for(handler)}")
    assert [item["service_request_id"] for item in json_of(response)] == [ours.tracking_code]


def test_search_stays_in_the_unit_the_endpoint_serves(
    client, open311_settings, key_for, supervisor, make_case, units, clerk
):
    ours, theirs, unrouted = make_case(), make_case(), make_case()
    case_assign(case=ours, unit=units["urban-window"], actor=clerk)
    case_assign(case=theirs, unit=units["market"], actor=clerk)
    key = key_for(supervisor)
    open311_settings.CIVICDESK_OPEN311_UNIT = "district"
    everything = json_of(client.get(f"{ROOT}/requests.json", {"api_key": key}))
    assert len(everything) == 3
    open311_settings.CIVICDESK_OPEN311_UNIT = "urban"
    # The district's supervisor is not staff of the urban unit the endpoint now serves.
    assert client.get(f"{ROOT}/requests.json", {"api_key": key}).status_code == 403
    urban_clerk = User.objects.create_user(
        username="urban-clerk", role=Role.CLERK, unit=units["urban"]
    )
    data = json_of(client.get(f"{ROOT}/requests.json", {"api_key": key_for(urban_clerk)}))
    # A clerk sees every case, but this endpoint serves the urban unit's cases only.
    assert [item["service_request_id"] for item in data] == [ours.tracking_code]
    assert unrouted.tracking_code not in str(data)


def test_search_returns_at_most_the_limit(client, api_key, make_case, monkeypatch):
    monkeypatch.setattr("civicdesk.open311.views.MAX_RESULTS", 2)
    now = timezone.now()
    cases = [make_case(received_at=now - timedelta(hours=hours)) for hours in (3, 2, 1)]
    data = json_of(client.get(f"{ROOT}/requests.json", {"api_key": api_key}))
    assert [item["service_request_id"] for item in data] == [
        cases[2].tracking_code,
        cases[1].tracking_code,
    ]


def test_token_lookup_answers_with_the_request_id(citizen, reported_case):
    code = reported_case.tracking_code
    assert json_of(citizen.get(f"{ROOT}/tokens/{code}.json")) == [
        {"service_request_id": code, "token": code}
    ]
    root = xml_of(citizen.get(f"{ROOT}/tokens/{code}.xml"))
    assert xml_items(root) == [{"service_request_id": code, "token": code}]
