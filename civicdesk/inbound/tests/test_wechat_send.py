"""The answer of a case reported through the official account reaches its reporter on WeChat:
the report comes in over HTTP in the protocol's format, staff answer it, and the outbox sends
through a transport that records the exact API calls."""

import json
import logging

import pytest
from django.core.cache import cache

from civicdesk.cases import services as case_services
from civicdesk.cases.models import Case
from civicdesk.inbound.tests.test_wechat import OPENID, payload, post_plain
from civicdesk.inbound.wechat_media import _TOKEN_KEY
from civicdesk.inbound.wechat_send import WeChatSender
from civicdesk.notifications.delivery import deliver_due
from civicdesk.notifications.models import Outbox, Preference

API = "https://api.weixin.qq.com/cgi-bin"
SECRET = "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4"
TEMPLATE = "ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY"
CALLS: list[tuple[str, dict | None]] = []
ANSWERS: list[dict] = []  # what WeChat answers to the next message posts (default: ok)


def recording_transport(url: str, body: bytes | None, timeout: float) -> bytes:
    CALLS.append((url, None if body is None else json.loads(body.decode())))
    if url.startswith(f"{API}/token?"):
        return json.dumps({"access_token": f"ACCESS{len(CALLS)}", "expires_in": 7200}).encode()
    return json.dumps(ANSWERS.pop(0) if ANSWERS else {"errcode": 0, "errmsg": "ok"}).encode()


@pytest.fixture(autouse=True)
def _sending(settings):
    settings.CIVICDESK_WECHAT_APP_SECRET = SECRET
    settings.CIVICDESK_WECHAT_TRANSPORT = f"{__name__}.recording_transport"
    settings.CIVICDESK_WECHAT_TEMPLATE_ID = ""
    settings.CIVICDESK_SITE_URL = "https://12345.district.example"
    settings.LANGUAGE_CODE = "zh-hans"  # the district's language, that WeChat users write in
    CALLS.clear()
    ANSWERS.clear()
    cache.delete(_TOKEN_KEY)
    yield
    cache.delete(_TOKEN_KEY)


@pytest.fixture
def answered_wechat_case(db, units, supervisor, handler):
    """A report sent as a WeChat text message, assigned and answered by staff."""

    def make() -> Case:
        assert post_plain(payload("text.xml")).status_code == 200
        case = case_services.case_assign(
            case=Case.objects.get(), unit=units["urban"], actor=supervisor
        )
        return case_services.case_answer(case=case, actor=handler, text="路灯已修复。")

    return make


def test_the_answer_reaches_the_reporter_by_a_customer_service_message(answered_wechat_case):
    case = answered_wechat_case()
    row = Outbox.objects.get(event="case_answered")
    assert (row.channel, row.recipient, row.language) == ("wechat", OPENID, "zh-hans")
    assert deliver_due().counts == {"sent": 1}

    status_url = f"https://12345.district.example/track/{case.tracking_code}/"
    token_call, message_call = CALLS
    assert token_call == (
        f"{API}/token?grant_type=client_credential&appid=wx5823bf96d3bd56c7&secret={SECRET}",
        None,
    )
    assert message_call[0] == f"{API}/message/custom/send?access_token=ACCESS1"
    content = message_call[1]["text"]["content"]
    assert message_call[1] == {"touser": OPENID, "msgtype": "text", "text": {"content": content}}
    assert content.startswith(f"您的反映 {case.tracking_code} 已答复\n\n")
    assert status_url in content and "/notifications/" in content  # status and opt-out links
    row.refresh_from_db()
    assert row.status == "sent"

    # The token is cached: the next message makes one call.
    CALLS.clear()
    WeChatSender().send(OPENID, "", "x")
    assert [url.split("?")[0] for url, _body in CALLS] == [f"{API}/message/custom/send"]


def test_after_48_hours_a_template_message_carries_the_answer(answered_wechat_case, settings):
    settings.CIVICDESK_WECHAT_TEMPLATE_ID = TEMPLATE
    case = answered_wechat_case()
    ANSWERS.append({"errcode": 45015, "errmsg": "response out of time limit"})
    assert deliver_due().counts == {"sent": 1}
    code = case.tracking_code
    status_url = f"https://12345.district.example/track/{code}/"
    assert [url.split("?")[0] for url, _body in CALLS] == [
        f"{API}/token", f"{API}/message/custom/send", f"{API}/message/template/send",
    ]  # fmt: skip
    url, message = CALLS[2]
    assert url == f"{API}/message/template/send?access_token=ACCESS1"
    assert message == {
        "touser": OPENID,
        "template_id": TEMPLATE,
        "url": status_url,
        "data": {
            "first": {"value": f"您的反映 {case.tracking_code} 已答复"},
            "keyword1": {"value": case.tracking_code},
            "keyword2": {"value": f"您的反映 {code} 已正式答复，请在办理进度页面查看答复内容："},
            "remark": {"value": message["data"]["remark"]["value"]},
        },
    }
    assert message["data"]["remark"]["value"].startswith(status_url)


def test_without_a_template_the_closed_window_fails_clearly(answered_wechat_case):
    answered_wechat_case()
    ANSWERS.append({"errcode": 45015, "errmsg": "response out of time limit"})
    assert deliver_due().counts == {"failed": 1}
    row = Outbox.objects.get(event="case_answered")
    assert "45015" in row.last_error and "CIVICDESK_WECHAT_TEMPLATE_ID" in row.last_error
    assert OPENID not in row.last_error


def test_an_expired_token_is_dropped_and_the_message_tried_again(answered_wechat_case):
    answered_wechat_case()
    ANSWERS.append({"errcode": 42001, "errmsg": "access_token expired"})
    assert deliver_due().counts == {"pending": 1}
    assert cache.get(_TOKEN_KEY) is None
    Outbox.objects.update(next_attempt_at="2000-01-01T00:00:00Z")
    assert deliver_due().counts == {"sent": 1}
    assert [url.split("?")[0].rsplit("/", 1)[-1] for url, _body in CALLS] == [
        "token", "send", "token", "send",
    ]  # fmt: skip
    assert CALLS[-1][0].endswith("access_token=ACCESS3")


def test_nothing_is_sent_to_wechat_when_it_is_not_configured(
    answered_wechat_case, settings, caplog
):
    settings.CIVICDESK_WECHAT_APP_SECRET = ""
    with caplog.at_level(logging.WARNING, logger="civicdesk.notifications.services"):
        answered_wechat_case()
    assert not Outbox.objects.filter(event="case_answered").exists()
    assert "CIVICDESK_WECHAT_APP_SECRET" in caplog.text and OPENID not in caplog.text
    assert deliver_due().counts == {}
    assert CALLS == []


def test_a_message_queued_before_the_settings_were_removed_fails_without_a_call(
    answered_wechat_case, settings
):
    answered_wechat_case()
    settings.CIVICDESK_WECHAT_APP_ID = ""
    assert deliver_due().counts == {"failed": 1}
    assert "not configured" in Outbox.objects.get(event="case_answered").last_error
    assert CALLS == []


def test_unfollowing_stops_the_messages_and_following_again_lifts_that(answered_wechat_case):
    unfollow = payload("subscribe.xml").replace(b"[subscribe]", b"[unsubscribe]")
    assert post_plain(unfollow).content == b"success"
    answered_wechat_case()
    row = Outbox.objects.get(event="case_answered")
    assert row.status == "cancelled" and row.body == ""  # recorded, never sent
    assert deliver_due().counts == {} and CALLS == []
    assert Preference.objects.get(channel="wechat", address=OPENID).stop_all

    refollow = payload("subscribe.xml", **{"1772500400": "1772500900"})
    assert "查询码" in post_plain(refollow).content.decode()  # the welcome
    assert not Preference.objects.get(channel="wechat", address=OPENID).stop_all
