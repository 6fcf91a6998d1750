"""The SMS gateway's inbound webhook, through HTTP, signed as SMS_GATEWAY.md says."""

import json
import secrets
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.inbound.models import InboundMessage, Outcome, SmsPart
from civicdesk.inbound.signing import signature
from civicdesk.inbound.sms import assemble_overdue
from civicdesk.notifications.models import Outbox, Preference, Status

URL = "/inbound/sms/"
SECRET = "sms-shared-secret"


def post(client: Client, payload: dict, *, secret: str = SECRET, timestamp=None, nonce=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(8)
    return client.post(
        URL,
        body,
        content_type="application/json",
        headers={
            "X-Civicdesk-Timestamp": timestamp,
            "X-Civicdesk-Nonce": nonce,
            "X-Civicdesk-Signature": signature(secret, timestamp, nonce, body),
        },
    )


def sms(text: str, *, id: str | None = None, phone: str = "+86 138 0013 8000", **extra) -> dict:
    return {"id": id or secrets.token_hex(6), "from": phone, "text": text, **extra}


def test_an_sms_becomes_a_case_and_the_code_goes_back_by_sms(db):
    response = post(Client(), sms("河滨路12号井盖缺失，很危险", id="gw-1"))
    assert response.status_code == 200 and response.json() == {"result": "case"}
    case = Case.objects.get()
    assert case.submission.channel.code == "sms"
    assert case.submission.contact_phone == "+86 138 0013 8000"
    receipt = Outbox.objects.get(event="case_received")
    assert receipt.channel == "sms" and case.tracking_code in receipt.body
    # The gateway retries after a timeout: the same id stores nothing again.
    assert post(Client(), sms("河滨路12号井盖缺失，很危险", id="gw-1")).json() == {
        "result": "repeated"
    }
    assert Case.objects.count() == 1 and Outbox.objects.count() == 1


def test_a_reply_with_the_code_from_the_same_number_joins_the_case(db):
    post(Client(), sms("东苑小区路灯不亮"))
    case = Case.objects.get()
    code = case.tracking_code.replace("-", "").lower()
    response = post(Client(), sms(f"{code} 补充：5号楼也不亮", phone="13800138000"))
    assert response.json() == {"result": "follow_up"}
    assert Case.objects.count() == 1
    assert "5号楼也不亮" in case.events.get(action="note").note


@pytest.mark.parametrize("word", ["T", "td", "退订"])
def test_stop_words_stop_every_message_to_the_number(db, word):
    post(Client(), sms("东苑小区路灯不亮"))
    waiting = Outbox.objects.get()
    assert post(Client(), sms(word)).json() == {"result": "stopped"}
    assert Preference.objects.get(channel="sms", address="13800138000").stop_all
    waiting.refresh_from_db()
    assert waiting.status == Status.CANCELLED
    assert Case.objects.count() == 1  # "T" is no report


def test_long_messages_are_stored_once_all_parts_came(db):
    parts = ["东苑小区3号楼门口的路灯", "坏了一个星期，晚上很黑，", "老人容易摔倒。"]
    for index in (2, 3):
        reply = post(
            Client(), sms(parts[index - 1], parts={"ref": "7A", "index": index, "count": 3})
        )
        assert reply.json() == {"result": "waiting"}
    assert not Case.objects.exists()
    reply = post(Client(), sms(parts[0], parts={"ref": "7A", "index": 1, "count": 3}))
    assert reply.json() == {"result": "case"}
    assert Case.objects.get().submission.description == "".join(parts)
    assert not SmsPart.objects.exists()


def test_parts_that_never_complete_are_stored_after_the_wait(db, settings):
    settings.CIVICDESK_SMS_PARTS_WAIT = 600
    post(Client(), sms("路灯坏了", parts={"ref": 9, "index": 1, "count": 2}))
    assert assemble_overdue() == 0
    assert assemble_overdue(now=timezone.now() + timedelta(seconds=601)) == 1
    description = Case.objects.get().submission.description
    assert description.startswith("路灯坏了") and "part 2 of 2 did not arrive" in description


def test_forged_stale_and_replayed_requests_are_refused(db):
    client = Client()
    forged = post(client, sms("路灯"), secret="guessed")
    assert forged.status_code == 401 and forged.json()["error"] == "signature"
    stale = post(client, sms("路灯"), timestamp=int(time.time()) - 301)
    assert stale.status_code == 401 and "older than 300 seconds" in stale.json()["detail"]
    assert post(client, sms("路灯"), nonce="same-nonce-1").status_code == 200
    replayed = post(client, sms("路灯", id="other"), nonce="same-nonce-1")
    assert replayed.status_code == 409 and replayed.json()["error"] == "replay"
    assert Case.objects.count() == 1


def test_bad_bodies_name_the_field(db):
    response = post(Client(), {"id": "x", "from": "not a phone", "text": "路灯"})
    assert response.status_code == 400 and "“from”" in response.json()["detail"]
    response = post(Client(), sms("路灯", parts={"ref": "1", "index": 3, "count": 2}))
    assert response.status_code == 400 and "parts.index" in response.json()["detail"]
    assert not Case.objects.exists() and not SmsPart.objects.exists()


def test_a_flood_from_one_number_is_refused(db, settings):
    settings.CIVICDESK_INBOUND_RATE_LIMIT = "3/h"
    for number in range(3):
        assert post(Client(), sms(f"路灯{number}")).status_code == 200
    flood = post(Client(), sms("路灯again"))
    assert flood.status_code == 429 and int(flood["Retry-After"]) > 0
    assert Case.objects.count() == 3
    # Another number is not affected.
    assert post(Client(), sms("路灯", phone="13900139000")).status_code == 200


def test_the_webhook_is_off_without_a_secret(db, settings):
    settings.CIVICDESK_SMS_INBOUND_SECRET = ""
    assert post(Client(), sms("路灯")).status_code == 404
    assert not InboundMessage.objects.filter(outcome=Outcome.CASE).exists()
