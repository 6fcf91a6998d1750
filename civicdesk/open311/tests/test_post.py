"""POST Service Request: a form-encoded request becomes a submission of the Open311 channel
with its case, or nothing is stored and the spec's errors say why."""

import pytest
from django.utils import timezone

from civicdesk.accounts.models import ApiToken
from civicdesk.cases.models import Case
from civicdesk.intake.models import Channel, Submission
from civicdesk.open311.tests.conftest import ROOT, errors_of, json_of, xml_of

pytestmark = pytest.mark.django_db

FULL_REQUEST = {
    "jurisdiction_id": "civicdesk.test",
    "service_code": "street-lights",
    "lat": "30.2741234",
    "long": "120.1551",
    "address_string": "东苑小区3号楼门口",
    "email": "smith@example.org",
    "device_id": "tt222111",
    "account_id": "123456",
    "first_name": "John",
    "last_name": "Smith",
    "phone": "13812345678",
    "description": "A street light has been out for a week.",
    "media_url": "https://photos.example.org/2212426634.jpg",
}


def post(client, fmt: str = "json", **fields):
    return client.post(f"{ROOT}/requests.{fmt}", fields)


def test_request_becomes_a_case_of_the_open311_channel(
    client, api_key, georeport_schema, street_lights
):
    response = post(client, **FULL_REQUEST, api_key=api_key)
    assert response.status_code == 201, response.content
    [created] = json_of(response)
    case = Case.objects.select_related("submission__channel").get()
    due = timezone.localdate(case.answer_due_at).isoformat()
    assert created == {
        "service_request_id": case.tracking_code,
        "service_notice": f"An official answer is due by {due}.",
        "account_id": "123456",
    }
    submission = case.submission
    assert submission.channel.code == "open311"
    assert submission.category == case.category == street_lights
    assert submission.description == "A street light has been out for a week."
    assert submission.address == "东苑小区3号楼门口"
    assert (str(submission.latitude), str(submission.longitude)) == ("30.274123", "120.155100")
    assert submission.contact_name == "John Smith"
    assert submission.contact_phone == "13812345678"
    assert submission.contact_email == "smith@example.org"
    assert submission.recorded_by is None
    assert submission.language == "en"
    token = ApiToken.objects.get()
    assert submission.source_details == {
        "via": "open311",
        "client": "Street app",
        "api_key_prefix": token.prefix,
        "api_key_user": "clerk",
        "device_id": "tt222111",
        "account_id": "123456",
        "media_url": "https://photos.example.org/2212426634.jpg",
    }
    assert token.last_used_at is not None

    # The new request can be read back, without the reporter's personal details.
    response = client.get(f"{ROOT}/requests/{case.tracking_code}.json")
    data = json_of(response)
    georeport_schema("requests.json", data)
    assert data[0]["status"] == "open"
    assert data[0]["service_code"] == "street-lights"
    for private in ("John", "Smith", "13812345678", "smith@example.org", "tt222111", "123456"):
        assert private not in response.content.decode()


def test_created_request_in_xml(client, api_key):
    response = post(
        client, "xml", api_key=api_key, service_code="noise", address_string="东街 8 号"
    )
    assert response.status_code == 201
    root = xml_of(response)
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert request.findtext("service_request_id") == Case.objects.get().tracking_code
    assert request.find("account_id").text is None  # <account_id/>, as in the spec


def test_minimal_request_by_address_id_takes_the_service_as_description(client, api_key):
    response = post(client, api_key=api_key, service_code="noise", address_id="545483")
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.description == "Noise"
    assert submission.address == "Address ID 545483"
    assert submission.source_details["address_id"] == "545483"
    [item] = json_of(client.get(f"{ROOT}/requests/{submission.case.tracking_code}.json"))
    assert item["address_id"] == "545483"


def test_chinese_names_keep_the_family_name_first(client, api_key):
    post(
        client,
        api_key=api_key,
        service_code="noise",
        address_string="东街",
        first_name="小明",
        last_name="王",
    )
    assert Submission.objects.get().contact_name == "王小明"


def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(client, api_key):
    fields = {"api_key": api_key, "service_code": "noise", "address_string": "东街"}
    first = client.post(f"{ROOT}/requests.json", fields, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = client.post(f"{ROOT}/requests.json", fields, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert json_of(first) == json_of(again)
    assert Submission.objects.count() == 1
    other = fields | {"address_string": "西街"}
    conflict = client.post(f"{ROOT}/requests.json", other, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert conflict.status_code == 400
    assert "Idempotency-Key" in errors_of(conflict)[0][1]
    assert Submission.objects.count() == 1


MISSING_OR_WRONG = [
    pytest.param(
        {"service_code": ""},
        400,
        ["service_code: service_code is required; GET services lists the codes."],
        id="missing service_code",
    ),
    pytest.param(
        {"service_code": "potholes"},
        404,
        ["service_code: service_code “potholes” was not found."],
        id="unknown service_code",
    ),
    pytest.param(
        {"lat": "", "long": "", "address_string": ""},
        400,
        ["A location is required: send lat and long, address_string or address_id."],
        id="no location",
    ),
    pytest.param(
        {"long": "", "address_string": ""},
        400,
        ["long: Give both latitude and longitude, or neither."],
        id="lat without long",
    ),
    pytest.param(
        {"lat": "91"},
        400,
        ["lat: Ensure this value is less than or equal to 90."],
        id="lat out of range",
    ),
    pytest.param({"long": "east"}, 400, ["long: Enter a number."], id="long not a number"),
    pytest.param(
        {"email": "not-an-address", "phone": "1" * 41},
        400,
        [
            "email: Enter a valid email address.",
            "phone: Ensure this value has at most 40 characters (it has 41).",
        ],
        id="several errors at once",
    ),
    pytest.param(
        {"description": "x" * 4001},
        400,
        ["description: Ensure this value has at most 4000 characters (it has 4001)."],
        id="description over 4000 characters",
    ),
    pytest.param(
        {"media_url": "javascript:alert(1)"},
        400,
        ["media_url: Enter a valid URL."],
        id="media_url not a URL",
    ),
    pytest.param(
        {"attribute[WHISPAWN]": "123456"},
        400,
        ["No service here has attributes; leave out attribute[WHISPAWN]."],
        id="attribute of a service without attributes",
    ),
    pytest.param(
        {"jurisdiction_id": "sfgov.org"},
        404,
        ["jurisdiction_id “sfgov.org” was not found: this endpoint serves “civicdesk.test”."],
        id="unknown jurisdiction",
    ),
]


@pytest.mark.parametrize(("changes", "status", "descriptions"), MISSING_OR_WRONG)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_requests_store_nothing_and_say_why(
    client, api_key, changes, status, descriptions, fmt
):
    fields = {key: value for key, value in (FULL_REQUEST | changes).items() if value}
    response = post(client, fmt, api_key=api_key, **fields)
    assert response.status_code == status
    assert errors_of(response, fmt) == [(status, text) for text in descriptions]
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("key", "description"),
    [
        ("", "api_key is missing: this request needs an API key."),
        ("cd_not-a-key", "api_key is not valid: it is unknown, revoked or of a disabled account."),
        ("x" * 500, "api_key is not valid: it is unknown, revoked or of a disabled account."),
    ],
)
def test_missing_or_invalid_api_key_is_403(client, open311_settings, key, description):
    response = post(client, **FULL_REQUEST, api_key=key)
    assert response.status_code == 403
    assert errors_of(response) == [(403, description)]
    assert not Submission.objects.exists()


def test_revoked_key_and_disabled_account_are_refused(client, api_key, clerk):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert post(client, **FULL_REQUEST, api_key=api_key).status_code == 403
    ApiToken.objects.update(revoked_at=None)
    clerk.is_active = False
    clerk.save()
    assert post(client, **FULL_REQUEST, api_key=api_key).status_code == 403
    assert not Submission.objects.exists()


def test_key_of_an_account_that_may_not_file_is_403(
    client, open311_settings, key_for, discipline_inspector
):
    response = post(client, **FULL_REQUEST, api_key=key_for(discipline_inspector))
    assert response.status_code == 403
    assert errors_of(response) == [(403, "api_key belongs to an account that may not use Open311.")]


def test_key_of_a_unit_outside_the_jurisdiction_is_403(
    client, open311_settings, key_for, handler, other_handler
):
    open311_settings.CIVICDESK_OPEN311_UNIT = "urban"
    response = post(client, **FULL_REQUEST, api_key=key_for(other_handler))
    assert response.status_code == 403
    assert errors_of(response) == [
        (403, "api_key belongs to a unit outside this jurisdiction (城市管理局).")
    ]
    assert not Submission.objects.exists()
    response = post(client, **FULL_REQUEST, api_key=key_for(handler))
    assert response.status_code == 201


def test_api_key_and_jurisdiction_may_come_in_the_url(client, api_key):
    fields = {key: value for key, value in FULL_REQUEST.items() if key != "jurisdiction_id"}
    url = f"{ROOT}/requests.json?api_key={api_key}&jurisdiction_id=civicdesk.test"
    assert client.post(url, fields).status_code == 201
    url = f"{ROOT}/requests.json?api_key={api_key}&jurisdiction_id=sfgov.org"
    assert client.post(url, fields).status_code == 404
    assert Submission.objects.count() == 1


def test_oversized_payload_is_413_before_it_is_read(client, api_key):
    fields = FULL_REQUEST | {"api_key": api_key, "description": "路" * 30_000}
    response = post(client, **fields)
    assert response.status_code == 413
    [(code, description)] = errors_of(response)
    assert code == 413 and "at most 65536 bytes" in description
    assert not Submission.objects.exists()


def test_a_json_body_is_refused_with_a_clear_error(client, api_key):
    response = client.post(
        f"{ROOT}/requests.json",
        FULL_REQUEST | {"api_key": api_key},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "form-encoded" in errors_of(response)[0][1]
    assert not Submission.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_multipart_body_without_boundary_gets_the_specs_error(
    client, api_key, settings, fmt, debug
):
    settings.DEBUG = debug
    response = client.post(
        f"{ROOT}/requests.{fmt}?api_key={api_key}",
        b"--x\r\n",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    [(code, description)] = errors_of(response, fmt)
    assert code == 400 and "boundary" in description
    assert not Submission.objects.exists()


def test_requests_per_key_are_rate_limited(client, api_key, open311_settings):
    open311_settings.CIVICDESK_OPEN311_POST_RATE_LIMIT = "1/h"
    assert post(client, **FULL_REQUEST, api_key=api_key).status_code == 201
    response = post(client, **FULL_REQUEST, api_key=api_key)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert errors_of(response)[0][0] == 429
    assert Submission.objects.count() == 1


def test_a_switched_off_channel_refuses_requests(client, api_key):
    Channel.objects.filter(code="open311").update(is_active=False)
    response = post(client, **FULL_REQUEST, api_key=api_key)
    assert response.status_code == 400
    assert errors_of(response) == [
        (400, "This site does not take requests through Open311 at present.")
    ]
    assert not Submission.objects.exists()
