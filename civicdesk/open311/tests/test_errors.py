"""Bad reads get the spec's error format and codes: 400 for bad arguments, 404 for what does
not exist, 403 for keys, 405 for methods and 429 past a rate limit."""

import pytest

from civicdesk.open311.tests.conftest import ROOT, errors_of, json_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"start_date": "yesterday"},
            "start_date: “yesterday” is not a W3C date-time such as 2010-01-01T00:00:00Z.",
        ),
        (
            {"end_date": "2026-02-30"},
            "end_date: “2026-02-30” is not a W3C date-time such as 2010-01-01T00:00:00Z.",
        ),
        (
            {"start_date": "2026-01-01T00:00:00"},
            "start_date: “2026-01-01T00:00:00” has no time zone; add Z or an offset such as "
            "+08:00.",
        ),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "end_date: start_date and end_date may not span more than 90 days.",
        ),
        (
            {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-02-01"},
            "end_date: end_date is before start_date.",
        ),
        (
            {"status": "open,pending"},
            "status: “pending” is not a status: use open, closed or both.",
        ),
        (
            {"service_code": "street-lights,potholes"},
            "service_code: Unknown service_code: potholes. GET services lists the codes.",
        ),
    ],
)
def test_bad_search_arguments_are_400_naming_the_argument(client, api_key, params, description):
    response = client.get(f"{ROOT}/requests.json", params | {"api_key": api_key})
    assert response.status_code == 400
    assert errors_of(response) == [(400, description)]
    response = client.get(f"{ROOT}/requests.xml", params | {"api_key": api_key})
    assert errors_of(response, "xml") == [(400, description)]


def test_too_many_ids_at_once_is_400(citizen):
    ids = ",".join(f"id{number}" for number in range(101))
    response = citizen.get(f"{ROOT}/requests.json", {"service_request_id": ids})
    assert response.status_code == 400
    assert errors_of(response) == [
        (400, "service_request_id: Ask for at most 100 ids at once; this asks for 101.")
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("resource", ["requests", "tokens"])
def test_unknown_request_id_is_404(citizen, fmt, resource):
    response = citizen.get(f"{ROOT}/{resource}/2222-2222-22.{fmt}")
    assert response.status_code == 404
    assert errors_of(response, fmt) == [(404, "No service request has the id “2222-2222-22”.")]


def test_unknown_ids_are_rate_limited_so_codes_cannot_be_guessed(citizen, settings, reported_case):
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "2/h"
    for _attempt in range(2):
        assert citizen.get(f"{ROOT}/requests/2222-2222-22.json").status_code == 404
    response = citizen.get(f"{ROOT}/requests/2222-2222-22.json")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert errors_of(response)[0][0] == 429
    # Until the window ends a request one knows gets the same answer: a 200 would tell a
    # guesser each hit.
    known = citizen.get(f"{ROOT}/requests/{reported_case.tracking_code}.json")
    assert errors_of(known) == errors_of(response)
    searched = citizen.get(
        f"{ROOT}/requests.json", {"service_request_id": reported_case.tracking_code}
    )
    assert errors_of(searched) == errors_of(response)


def test_anonymous_reads_are_rate_limited_but_keys_are_not(citizen, api_key, settings):
    settings.CIVICDESK_OPEN311_READ_RATE_LIMIT = "2/h"
    for _attempt in range(2):
        assert citizen.get(f"{ROOT}/services.json").status_code == 200
    response = citizen.get(f"{ROOT}/services.xml")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert errors_of(response, "xml")[0][0] == 429
    assert citizen.get(f"{ROOT}/services.json", {"api_key": api_key}).status_code == 200


def test_an_invalid_key_on_a_read_is_refused_not_ignored(citizen, open311_settings):
    response = citizen.get(f"{ROOT}/services.json", {"api_key": "cd_expired"})
    assert response.status_code == 403
    response = citizen.get(f"{ROOT}/services.json", HTTP_AUTHORIZATION="Bearer cd_expired")
    assert response.status_code == 403


def test_jurisdiction_defaults_to_the_sites_host(citizen):
    for host in ("testserver", "www.testserver", "TestServer"):
        response = citizen.get(f"{ROOT}/services.json", {"jurisdiction_id": host})
        assert response.status_code == 200, host
    response = citizen.get(f"{ROOT}/services.json", {"jurisdiction_id": "sfgov.org"})
    assert response.status_code == 404
    assert errors_of(response) == [
        (404, "jurisdiction_id “sfgov.org” was not found: this endpoint serves “testserver”.")
    ]


def test_jurisdiction_setting_and_site_url_win_over_the_host(citizen, settings):
    settings.CIVICDESK_SITE_URL = "https://www.district.example.org/"
    assert (
        citizen.get(f"{ROOT}/services.json?jurisdiction_id=district.example.org").status_code == 200
    )
    settings.CIVICDESK_OPEN311_JURISDICTION = "civicdesk.test"
    assert citizen.get(f"{ROOT}/services.json?jurisdiction_id=civicdesk.test").status_code == 200
    assert citizen.get(f"{ROOT}/services.json?jurisdiction_id=testserver").status_code == 404


def test_unknown_format_and_resource_are_404_in_the_error_format(citizen):
    response = citizen.get(f"{ROOT}/services.html")
    assert response.status_code == 404
    assert errors_of(response, "xml") == [
        (404, "There is no format “html”: end the address in .xml or .json.")
    ]
    response = citizen.get(f"{ROOT}/potholes.json")
    assert response.status_code == 404
    assert "potholes.json" in errors_of(response)[0][1]


def test_wrong_method_is_405_with_allow(client):
    response = client.post(f"{ROOT}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert errors_of(response) == [(405, "POST is not allowed here; use GET, HEAD.")]


def test_head_is_answered_like_get(citizen):
    response = citizen.head(f"{ROOT}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_empty_optional_arguments_count_as_absent(citizen, api_key):
    params = {"jurisdiction_id": "", "service_code": "", "status": "", "api_key": api_key}
    assert json_of(citizen.get(f"{ROOT}/requests.json", params)) == []
