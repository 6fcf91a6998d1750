"""The WeChat message server, through HTTP, with payloads in the protocol's formats."""

import io
import json
import secrets
import time
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from PIL import Image

from civicdesk.cases.models import Case
from civicdesk.inbound import wechat_crypto
from civicdesk.inbound.tests.conftest import FIXTURES
from civicdesk.intake.models import Photo
from civicdesk.notifications.models import Outbox

URL = "/inbound/wechat/"
TOKEN = "civicdesk"
APP_ID = "wx5823bf96d3bd56c7"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
OPENID = "oFJp41mYx7nVb8kD2sQeR5tUwZcA"
PICTURES: dict[str, bytes] = {}


class FileFetcher:
    """Stands in for the download by media id (a network call)."""

    def fetch(self, media_id: str) -> bytes:
        return PICTURES[media_id]


def payload(name: str, **replace: str) -> bytes:
    text = (FIXTURES / "wechat" / name).read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text.encode()


def signed_query(*extra: str, timestamp=None, nonce=None, token=TOKEN) -> dict:
    """A query as WeChat signs it; a fresh nonce for every request, as WeChat sends."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = str(secrets.randbelow(10**10)) if nonce is None else nonce
    return {
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": wechat_crypto.sha1_signature(token, timestamp, nonce),
        **(
            {"msg_signature": wechat_crypto.sha1_signature(token, timestamp, nonce, *extra)}
            if extra
            else {}
        ),
    }


def post_plain(body: bytes, **query):
    params = "&".join(f"{k}={v}" for k, v in (query or signed_query()).items())
    return Client().post(f"{URL}?{params}", body, content_type="text/xml")


def post_encrypted(body: bytes, *, timestamp=None):
    encrypt = wechat_crypto.encrypt(body.decode(), encoding_aes_key=AES_KEY, app_id=APP_ID)
    query = signed_query(encrypt, timestamp=timestamp) | {"encrypt_type": "aes", "openid": OPENID}
    envelope = (
        "<xml><ToUserName><![CDATA[gh_3a6f8c2d91b4]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return Client().post(f"{URL}?{params}", envelope.encode(), content_type="text/xml")


def fields_of(xml: bytes | str) -> dict[str, str]:
    return {child.tag: child.text for child in ET.fromstring(xml)}  # noqa: S314 (our own XML)


def reply_text(response) -> str:
    fields = fields_of(response.content)
    assert fields["ToUserName"] == OPENID and fields["MsgType"] == "text"
    return fields["Content"]


@pytest.fixture(autouse=True)
def _wechat(settings):
    settings.CIVICDESK_WECHAT_TOKEN = TOKEN
    settings.CIVICDESK_WECHAT_APP_ID = APP_ID
    settings.CIVICDESK_WECHAT_ENCODING_AES_KEY = AES_KEY
    settings.CIVICDESK_WECHAT_MEDIA_FETCHER = "civicdesk.inbound.tests.test_wechat.FileFetcher"


def test_the_url_check_echoes_only_with_the_right_signature(db):
    query = signed_query() | {"echostr": "8315218063717640513"}
    assert Client().get(URL, query).content == b"8315218063717640513"
    forged = Client().get(URL, signed_query(token="guessed") | {"echostr": "1"})
    assert forged.status_code == 403 and "signature" in forged.content.decode()


def test_a_text_message_becomes_a_case_and_the_passive_reply_carries_its_code(db):
    started = time.monotonic()
    response = post_plain(payload("text.xml"))
    assert time.monotonic() - started < 5  # WeChat waits 5 seconds
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.submission.channel.code == "wechat"
    assert case.submission.source_details == {"openid": OPENID}
    assert case.tracking_code in reply_text(response)
    # The code went back in the reply: nothing is queued for WeChat users.
    assert not Outbox.objects.exists()
    # WeChat retries a message it got no answer to: the same reply, no second case.
    assert case.tracking_code in reply_text(post_plain(payload("text.xml")))
    assert Case.objects.count() == 1


def test_encrypted_mode_decrypts_and_answers_encrypted(db):
    response = post_encrypted(payload("text.xml"))
    assert response.status_code == 200
    envelope = fields_of(response.content)
    assert envelope["MsgSignature"] == wechat_crypto.sha1_signature(
        TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"]
    )
    inner = wechat_crypto.decrypt(envelope["Encrypt"], encoding_aes_key=AES_KEY, app_id=APP_ID)
    assert Case.objects.get().tracking_code in fields_of(inner)["Content"]


def test_the_official_sample_decrypts_and_its_old_timestamp_is_refused_as_a_replay(db, settings):
    vector = json.loads((FIXTURES / "wechat" / "official_vector.json").read_text())
    expected = wechat_crypto.sha1_signature(
        vector["token"], vector["timestamp"], vector["nonce"], vector["encrypt"]
    )
    assert expected == vector["msg_signature"]
    inner = wechat_crypto.decrypt(
        vector["encrypt"], encoding_aes_key=vector["encoding_aes_key"], app_id=vector["app_id"]
    )
    fields = fields_of(inner)
    assert (fields["Content"], fields["MsgId"]) == (
        vector["plaintext_content"],
        vector["plaintext_msg_id"],
    )
    with pytest.raises(wechat_crypto.CryptoError):  # another account's message
        wechat_crypto.decrypt(vector["encrypt"], encoding_aes_key=AES_KEY, app_id="wxother")
    # Sent to the server as recorded (2014), it is a replay.
    settings.CIVICDESK_WECHAT_TOKEN = vector["token"]
    query = {k: vector[k] for k in ("timestamp", "nonce", "msg_signature")}
    plain = wechat_crypto.sha1_signature(vector["token"], vector["timestamp"], vector["nonce"])
    query |= {"signature": plain, "encrypt_type": "aes"}
    envelope = f"<xml><Encrypt><![CDATA[{vector['encrypt']}]]></Encrypt></xml>".encode()
    params = "&".join(f"{k}={v}" for k, v in query.items())
    response = Client().post(f"{URL}?{params}", envelope, content_type="text/xml")
    assert response.status_code == 403 and "older than" in response.content.decode()
    assert not Case.objects.exists()


def test_forged_signatures_and_xml_declarations_are_refused(db):
    forged = post_plain(payload("text.xml"), **signed_query(token="guessed"))
    assert forged.status_code == 403
    bomb = b'<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'
    assert post_plain(bomb).status_code == 400
    assert not Case.objects.exists()


def test_a_photo_and_a_location_join_the_report_just_sent(db, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "JPEG")
    media_id = "Qy0vX3dF8sK2mT7pL9bN4cR6hJ1wE5aU8iO3yG0zV2xB7nM4kP9lQ6tS1rD"
    PICTURES[media_id] = buffer.getvalue()
    post_plain(payload("text.xml"))
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_plain(payload("image.xml"))
    assert case.tracking_code in reply_text(response)
    # Fetched by the (here immediate) background task, through the photo pipeline.
    assert Photo.objects.get(submission=case.submission).content_type == "image/jpeg"
    post_plain(payload("location.xml"))
    case.submission.refresh_from_db()
    assert str(case.submission.latitude) == "30.274100"
    assert case.submission.address == "浙江省杭州市示范区东苑路18号"
    assert Case.objects.count() == 1 and case.events.filter(action="note").count() == 2


def test_a_location_alone_starts_a_report_at_that_place(db):
    post_plain(payload("location.xml"))
    submission = Case.objects.get().submission
    assert submission.address == "浙江省杭州市示范区东苑路18号"
    assert str(submission.longitude) == "120.155100"


def test_query_answers_the_status_and_misses_are_limited(db, settings):
    post_plain(payload("text.xml"))
    case = Case.objects.get()
    query = payload("text.xml", **{"24562012345678901": "24562012345678999"}).replace(
        "东苑小区3号楼门口路灯不亮一周了，晚上很黑".encode(), f"查询 {case.tracking_code}".encode()
    )
    text = reply_text(post_plain(query))
    assert case.tracking_code in text and "Received" in text
    assert Case.objects.count() == 1
    settings.CIVICDESK_LOOKUP_MISS_RATE_LIMIT = "1/h"
    for number in range(2):
        miss = payload("text.xml", **{"24562012345678901": f"9{number}"}).replace(
            "东苑小区3号楼门口路灯不亮一周了，晚上很黑".encode(), "查询 2222-2222-22".encode()
        )
        last = reply_text(post_plain(miss))
    assert "Too many codes" in last


def test_a_report_starting_with_query_words_is_still_a_report(db):
    text = payload("text.xml").replace(
        "东苑小区3号楼门口路灯不亮一周了，晚上很黑".encode(),
        "查询一下东苑路灯什么时候修好".encode(),
    )
    assert "Tracking code" in reply_text(post_plain(text))
    assert Case.objects.get().submission.description == "查询一下东苑路灯什么时候修好"


def test_subscribing_gets_a_welcome(db):
    assert "tracking code" in reply_text(post_plain(payload("subscribe.xml")))
    assert not Case.objects.exists()


def test_a_signed_query_carries_one_message_and_wechat_may_retry_it(db):
    query = signed_query()
    first = post_plain(payload("text.xml"), **query)
    code = Case.objects.get().tracking_code
    assert code in reply_text(first)
    # WeChat's retry of the same message with the same query: the same reply.
    assert code in reply_text(post_plain(payload("text.xml"), **query))
    # Someone who saw the query sends another message with it (the signature of plain mode
    # does not cover the body): refused as a replay, nothing stored.
    forged = payload("text.xml", **{"24562012345678901": "24562012345678999", "路灯": "井盖"})
    replayed = post_plain(forged, **query)
    assert replayed.status_code == 403 and "replayed" in replayed.content.decode()
    assert Case.objects.count() == 1
    # The same message under a fresh signature is just WeChat's retry.
    assert code in reply_text(post_plain(payload("text.xml")))


def test_a_flood_from_one_wechat_user_is_answered_and_not_stored(db, settings):
    settings.CIVICDESK_INBOUND_RATE_LIMIT = "2/h"
    for number in range(3):
        body = payload("text.xml", **{"24562012345678901": f"2456201234567890{number}"})
        reply = reply_text(post_plain(body))
    assert "Too many messages from this sender" in reply
    assert Case.objects.count() == 2
    huge = payload("text.xml", **{"路灯": "路灯" * 40000})
    response = post_plain(huge)
    assert response.status_code == 413 and Case.objects.count() == 2


def test_forged_encrypted_messages_are_refused(db):
    encrypt = wechat_crypto.encrypt(
        payload("text.xml").decode(), encoding_aes_key=AES_KEY, app_id=APP_ID
    )
    envelope = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
    # The plain signature is right, the one over the encrypted message is forged.
    query = signed_query() | {"encrypt_type": "aes", "msg_signature": "0" * 40}
    params = "&".join(f"{k}={v}" for k, v in query.items())
    forged = Client().post(f"{URL}?{params}", envelope, content_type="text/xml")
    assert forged.status_code == 403 and "signature" in forged.content.decode()
    # Signed right, but encrypted for another official account.
    other = wechat_crypto.encrypt(
        payload("text.xml").decode(), encoding_aes_key=AES_KEY, app_id="wx0000000000000000"
    )
    query = signed_query(other) | {"encrypt_type": "aes"}
    params = "&".join(f"{k}={v}" for k, v in query.items())
    envelope = f"<xml><Encrypt><![CDATA[{other}]]></Encrypt></xml>".encode()
    response = Client().post(f"{URL}?{params}", envelope, content_type="text/xml")
    assert response.status_code == 403 and "decrypted" in response.content.decode()
    assert not Case.objects.exists()
