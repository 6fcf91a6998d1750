"""Guessing tracking codes is throttled on every surface that looks codes up (pages, API,
Open311), with one count per client. Past the limit a real code gets exactly what a wrong one
gets until the window ends: a 200 among the 429s would still tell a guesser each hit."""

from unittest import mock

from django.core.cache import cache

from civicdesk.core import ratelimit
from civicdesk.core.tracking import new_tracking_code

SURFACES = {
    "status page": "/track/{code}/",
    "track form": "/track/?code={code}",
    "API": "/api/v1/submissions/{code}",
    "Open311": "/open311/v2/requests/{code}.json",
}


def _answer(response) -> tuple:
    """What a client can compare between two answers: status, content type and body (pages:
    the template, since each page carries its own nonce)."""
    if response["Content-Type"].startswith("text/html"):
        body = [template.name for template in response.templates]
    else:
        body = response.json()
    return response.status_code, response["Content-Type"], body


def test_past_the_limit_real_and_wrong_codes_get_the_same_answer(settings, citizen, make_case):
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "4/h"
    case = make_case()
    # Misses on different surfaces count together.
    misses = [
        citizen.get(path.format(code=new_tracking_code())).status_code for path in SURFACES.values()
    ]
    assert misses == [404, 404, 404, 404]

    for name, path in SURFACES.items():
        wrong = citizen.get(path.format(code=new_tracking_code()))
        real = citizen.get(path.format(code=case.tracking_code))
        assert wrong.status_code == 429, name
        assert _answer(real) == _answer(wrong), name
        assert 0 < int(real["Retry-After"]) <= 3600, name


def test_real_codes_work_again_when_the_window_ends(settings, citizen, make_case):
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "1/h"
    case = make_case()
    citizen.get(f"/track/{new_tracking_code()}/")
    assert citizen.get(f"/api/v1/submissions/{case.tracking_code}").status_code == 429

    an_hour_later = ratelimit.time.time() + 3600
    with mock.patch.object(ratelimit.time, "time", return_value=an_hour_later):
        assert citizen.get(f"/api/v1/submissions/{case.tracking_code}").status_code == 200
        assert citizen.get(f"/track/{case.tracking_code}/").status_code == 200


def test_the_throttle_is_per_client(settings, client, make_case):
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "2/h"
    case = make_case()
    for _ in range(3):
        client.get(f"/track/{new_tracking_code()}/", REMOTE_ADDR="10.0.0.1")
    response = client.get(f"/track/{new_tracking_code()}/", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 404
    assert client.get(f"/track/{case.tracking_code}/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_every_refusal_says_when_the_window_of_the_limit_ends(settings, citizen, make_case):
    """Retry-After is the throttle's own time left in its window, on every surface that looks
    a secret code up (not a fixed hour): here 500 s of a 10-minute window."""
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "1/10m"
    now = ratelimit.time.time()
    fixed = now - now % 600 + 100
    surfaces = {
        "status page": lambda code: citizen.get(f"/track/{code}/"),
        "track form": lambda code: citizen.get(f"/track/?code={code}"),
        "API": lambda code: citizen.get(f"/api/v1/submissions/{code}"),
        "Open311": lambda code: citizen.get(f"/open311/v2/requests/{code}.json"),
        "hall page": lambda code: citizen.post("/hall/track/", {"code": code}),
        "hall API": lambda code: citizen.post(f"/api/v1/hall/applications/{code}/code"),
        "report follow-up": lambda code: citizen.post("/reports/follow-up/", {"code": code}),
    }
    with mock.patch.object(ratelimit.time, "time", return_value=fixed):
        for name, ask in surfaces.items():
            assert ask(new_tracking_code()).status_code in {400, 404}, name  # the one miss
            response = ask(new_tracking_code())
            assert response.status_code == 429, name
            assert response["Retry-After"] == "500", name
            # Past the window the client is let through again.
            cache.clear()
