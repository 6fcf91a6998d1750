"""Every anonymous form and look-up is rate limited per client.

Each case sets its limit to one hit an hour, then makes two requests from one client:
the second is refused with 429. Endpoints that need a published questionnaire, a public
commitment, a utility or a rating window have the same check in their own app's tests.
"""

import uuid

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BAD_CODE = "2222-2222-22"


def _report(client):
    return client.post("/report/", {"description": "路灯不亮", "form_token": str(uuid.uuid4())})


def _misconduct(client):
    return client.post("/reports/misconduct/", {"description": "拖延办理"})


def _intermediary(client):
    return client.post("/reports/intermediary/", {"description": "中介代办"})


def _track(client):
    return client.get(f"/track/{BAD_CODE}/")


def _api_status(client):
    return client.get(f"/api/v1/submissions/{BAD_CODE}")


def _api_submission(client):
    return client.post(
        "/api/v1/submissions", {"description": "路灯不亮"}, content_type="application/json"
    )


def _followup(client):
    return client.get(f"/evaluation/f/{'x' * 32}/")


def _report_followup(client):
    return client.post("/reports/follow-up/", {"code": BAD_CODE})


CASES = {
    "report form": ("CIVICDESK_SUBMISSION_RATE_LIMIT", _report),
    "misconduct form": ("CIVICDESK_SUBMISSION_RATE_LIMIT", _misconduct),
    "intermediary form": ("CIVICDESK_SUBMISSION_RATE_LIMIT", _intermediary),
    "tracking look-up": ("CIVICDESK_LOOKUP_MISS_RATE_LIMIT", _track),
    "API status look-up": ("CIVICDESK_LOOKUP_MISS_RATE_LIMIT", _api_status),
    "API submission": ("CIVICDESK_SUBMISSION_RATE_LIMIT", _api_submission),
    "follow-up answer link": ("CIVICDESK_TOKEN_MISS_RATE_LIMIT", _followup),
    "confidential report follow-up": ("CIVICDESK_LOOKUP_MISS_RATE_LIMIT", _report_followup),
}


@pytest.mark.parametrize("name", CASES)
def test_anonymous_endpoint_is_rate_limited(name, settings, units):
    setting, call = CASES[name]
    setattr(settings, setting, "1/h")
    client = Client(REMOTE_ADDR="192.0.2.7")
    first = call(client)
    assert first.status_code != 429, f"{name}: refused at once"
    assert call(client).status_code == 429, f"{name}: the second request went through"
    # Another client is not affected.
    assert call(Client(REMOTE_ADDR="192.0.2.8")).status_code != 429
