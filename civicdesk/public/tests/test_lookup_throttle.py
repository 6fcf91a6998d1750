"""Guessing tracking codes is throttled; people who have a real code are never slowed down."""

from civicdesk.core.tracking import new_tracking_code


def test_failed_lookups_are_throttled_but_real_codes_still_work(settings, citizen, make_case):
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "3/h"
    case = make_case()
    guesses = [new_tracking_code() for _ in range(4)]
    statuses = [citizen.get(f"/track/{code}/").status_code for code in guesses]
    assert statuses == [404, 404, 404, 429]
    assert citizen.get(f"/track/?code={new_tracking_code()}").status_code == 429
    response = citizen.get(f"/api/v1/submissions/{new_tracking_code()}")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert citizen.get(f"/track/{case.tracking_code}/").status_code == 200
    assert citizen.get(f"/api/v1/submissions/{case.tracking_code}").status_code == 200


def test_the_throttle_is_per_client(settings, client, make_case):
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "1/h"
    for _ in range(2):
        client.get(f"/track/{new_tracking_code()}/", REMOTE_ADDR="10.0.0.1")
    response = client.get(f"/track/{new_tracking_code()}/", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 404
