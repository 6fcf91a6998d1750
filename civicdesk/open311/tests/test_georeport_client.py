"""Real, independent clients against the running app.

The PyPI package ``georeport`` (a GeoReport v2 client of its own, with ``requests`` and
``xmltodict``) reads services, service definitions and requests in JSON and in XML from a
live server; plain ``urllib`` reads the discovery and creates a request over real HTTP.
georeport cannot read the discovery and never sends an api_key (it has no POST), so those
are checked with urllib.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
import requests
from georeport import GeoReport

from civicdesk.cases.models import Case
from civicdesk.core.testing import _database_with_migrated_rows  # noqa: F401 - fixture
from civicdesk.open311.tests.conftest import ROOT, assert_w3c
from civicdesk.open311.tests.test_reads import offered_categories

pytestmark = [
    # The live server runs in another thread, so the data must really be committed; the
    # serialized rollback brings back the channels and categories that migrations create.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

JURISDICTION = "civicdesk.test"


@pytest.fixture
def endpoint(live_server, open311_settings) -> str:
    return f"{live_server.url}{ROOT}"


def _expected_services() -> dict[str, tuple[str, str]]:
    return {c.code: (c.name_en, c.parent.name_en) for c in offered_categories()}


def test_georeport_reads_json(endpoint, answered_case, make_case):
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format="json")
    open_case = make_case()

    services = client.get_service_list()
    assert {s["service_code"]: (s["service_name"], s["group"]) for s in services} == (
        _expected_services()
    )
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)
    assert client.get_service_definition("street-lights") == {
        "service_code": "street-lights",
        "attributes": [],
    }

    ids = f"{answered_case.tracking_code},{open_case.tracking_code}"
    [answered, reported] = client.get_service_requests(service_request_id=ids)
    assert answered["service_request_id"] == answered_case.tracking_code
    assert answered["status"] == "closed"
    assert answered["service_code"] == "street-lights"
    assert answered["service_name"] == "Street lights"
    assert answered["agency_responsible"] == "城市管理局"
    assert answered["status_notes"].endswith("路灯已于今日修复。")
    assert (answered["lat"], answered["long"]) == (30.2741, 120.1551)
    assert assert_w3c(answered["updated_datetime"]) == answered_case.answered_at.replace(
        microsecond=0
    )
    assert reported["service_request_id"] == open_case.tracking_code
    assert (reported["status"], reported["service_code"], reported["service_name"]) == (
        "open",
        "",
        None,
    )
    assert client.get_service_request(answered_case.tracking_code) == answered

    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_definition("potholes")
    assert refused.value.response.status_code == 404
    assert refused.value.response.json() == [
        {"code": 404, "description": "service_code “potholes” was not found."}
    ]
    wrong_place = GeoReport(endpoint, jurisdiction="sfgov.org")
    with pytest.raises(requests.HTTPError) as refused:
        wrong_place.get_service_list()
    assert refused.value.response.status_code == 404


def test_georeport_reads_xml(endpoint, answered_case, make_case, street_lights):
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format="xml")
    open_case = make_case(category=street_lights, description="路灯 <闪烁> & 熄灭")

    services = client.get_service_list()
    assert {s["service_code"]: (s["service_name"], s["group"]) for s in services} == (
        _expected_services()
    )
    assert {(s["metadata"], s["type"]) for s in services} == {("false", "realtime")}
    # xmltodict reads the empty <attributes/> as None.
    assert client.get_service_definition("street-lights") == {
        "service_code": "street-lights",
        "attributes": None,
    }

    ids = f"{open_case.tracking_code},{answered_case.tracking_code}"
    [first, second] = client.get_service_requests(service_request_id=ids)
    assert (first["service_request_id"], first["status"]) == (open_case.tracking_code, "open")
    assert first["description"] == "路灯 <闪烁> & 熄灭"
    assert first["status_notes"] == "Received"
    assert assert_w3c(first["expected_datetime"]) == open_case.answer_due_at.replace(microsecond=0)
    assert (second["service_request_id"], second["status"]) == (
        answered_case.tracking_code,
        "closed",
    )
    assert (second["lat"], second["long"]) == ("30.2741", "120.1551")
    assert second["expected_datetime"] is None
    # A single request comes back as the one <request> of <service_requests>.
    single = client.get_service_request(open_case.tracking_code)
    assert single == first


def _http(url: str, data: dict | None = None) -> tuple[int, str, object]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)  # noqa: S310 - the live test server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, content_type, raw = (
                response.status,
                response.headers["Content-Type"],
                response.read(),
            )
    except urllib.error.HTTPError as error:
        status, content_type, raw = error.code, error.headers["Content-Type"], error.read()
    return status, content_type, json.loads(raw) if "json" in content_type else raw


def test_discovery_post_and_token_over_real_http(endpoint, api_key, georeport_schema):
    status, content_type, discovery = _http(f"{endpoint}/discovery.json")
    assert (status, content_type) == (200, "application/json; charset=utf-8")
    assert discovery["endpoints"][0]["url"] == endpoint

    fields = {
        "api_key": api_key,
        "jurisdiction_id": JURISDICTION,
        "service_code": "street-lights",
        "lat": "30.2741",
        "long": "120.1551",
        "description": "东苑小区3号楼路灯不亮",
    }
    status, _type, created = _http(f"{endpoint}/requests.json", fields)
    assert status == 201
    case = Case.objects.get()
    assert created[0]["service_request_id"] == case.tracking_code

    status, _type, token = _http(f"{endpoint}/tokens/{case.tracking_code}.json")
    assert (status, token) == (
        200,
        [{"service_request_id": case.tracking_code, "token": case.tracking_code}],
    )

    status, _type, found = _http(f"{endpoint}/requests.json?api_key={api_key}&status=open")
    assert status == 200
    georeport_schema("requests.json", found)
    assert [item["service_request_id"] for item in found] == [case.tracking_code]
    assert found[0]["description"] == "东苑小区3号楼路灯不亮"

    status, _type, errors = _http(f"{endpoint}/requests.json", fields | {"api_key": "cd_wrong"})
    assert (status, errors[0]["code"]) == (403, 403)
    assert Case.objects.count() == 1


@pytest.fixture
def published_pair(make_case, street_lights, units, clerk, handler):
    """Two published requests (one answered) and one the reporter did not publish."""
    from civicdesk.cases.services import case_accept, case_answer, case_assign

    lights = make_case(description="东苑小区路灯不亮", category=street_lights, consent_publish=True)
    answered = make_case(description="井盖破损", consent_publish=True)
    answered = case_assign(case=answered, unit=units["urban"], actor=clerk)
    answered = case_answer(
        case=case_accept(case=answered, actor=handler), actor=handler, text="已更换井盖。"
    )
    make_case(description="不公开的诉求")
    return lights, answered


def test_georeport_searches_published_requests_without_a_key(
    endpoint, published_pair, georeport_schema
):
    lights, answered = published_pair
    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format="json")
    listed = client.get_service_requests()
    georeport_schema("requests.json", listed)
    assert [item["service_request_id"] for item in listed] == [answered.public_id, lights.public_id]
    assert [i["service_request_id"] for i in client.get_service_requests(status="open")] == [
        lights.public_id
    ]
    assert [
        i["service_request_id"] for i in client.get_service_requests(service_code="street-lights")
    ] == [lights.public_id]
    assert client.get_service_request(lights.public_id)["description"] == "东苑小区路灯不亮"
    as_xml = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format="xml")
    assert [item["service_request_id"] for item in as_xml.get_service_requests()] == [
        answered.public_id,
        lights.public_id,
    ]
    assert not any(
        code in json.dumps(listed, ensure_ascii=False)
        for code in (lights.tracking_code, answered.tracking_code, "不公开")
    )


def test_civicbot_lists_and_reads_published_requests(endpoint, published_pair, georeport_schema):
    """civicbot (PyPI) is a second client written without us: its Open311Client lists and
    reads requests unchanged, over real HTTP (its transport is urllib)."""
    from civicbot.http import HttpTransport, RateLimiter
    from civicbot.open311 import Open311Client
    from civicbot.registry import Endpoint

    lights, answered = published_pair
    client = Open311Client(
        Endpoint(id="civicdesk", name="civicdesk", base_url=endpoint),
        transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)),
        jurisdiction_id=JURISDICTION,
    )
    services = client.list_services()
    assert {s["service_code"] for s in services} == set(_expected_services())
    listed = client.list_requests()
    georeport_schema("requests.json", listed)
    assert [item["service_request_id"] for item in listed] == [answered.public_id, lights.public_id]
    closed = client.list_requests(status="closed", service_code=None)
    assert [item["service_request_id"] for item in closed] == [answered.public_id]
    assert client.get_request(answered.public_id)["status_notes"] == "已更换井盖。"
    by_ids = client.list_requests(service_request_ids=[lights.public_id])
    assert [item["service_request_id"] for item in by_ids] == [lights.public_id]
