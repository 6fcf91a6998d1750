"""Messages to a WeChat user who reported through the official account (the outbox's WeChat
sender, named in CIVICDESK_WECHAT_SENDER): the answer of their case, and whatever else the
reporter of a case is told.

WeChat lets an official account write to a user in two ways:

- a customer-service message (客服消息, ``message/custom/send``): free text, but only within
  48 hours of the user's last message to the account;
- a template message (模板消息, ``message/template/send``): at any time, in the words of a
  template the account chose in its console. With CIVICDESK_WECHAT_TEMPLATE_ID set, a
  customer-service message that WeChat refuses as out of time (45015) is sent again as a
  template message: ``first`` the subject, ``keyword1`` the tracking code, ``keyword2`` the
  text's first paragraph, ``remark`` the rest, and the status page as its link.

The HTTP calls go through a transport, ``transport(url, body, timeout) -> bytes`` (``body``
None: GET; else a JSON POST), named in CIVICDESK_WECHAT_TRANSPORT; tests name one that records
the exact payloads. WeChat's errors are sorted into permanent ones (the user unfollowed, the
template is wrong) and temporary ones (busy, an expired access token, which is dropped from the
cache so the next try fetches a new one).
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from civicdesk.inbound.wechat_media import _TOKEN_KEY, API
from civicdesk.notifications.senders import PermanentSendError

TIMEOUT = 20
MAX_ANSWER = 64 * 1024
MAX_CONTENT_BYTES = 2000  # a customer-service text message holds 2,048 bytes
TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid or expired access token
OUT_OF_TIME = frozenset({45015, 45047})  # no message from the user for 48 hours; too many
BUSY = frozenset({-1, 45009})  # system busy; API calls over the daily quota
_LINK = re.compile(r"https?://\S+")
_CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}\b")


class WeChatSendError(Exception):
    """WeChat answered with an error code that may go away (temporary)."""


def urllib_transport(url: str, body: bytes | None, timeout: float) -> bytes:
    headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 (https API)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read(MAX_ANSWER)


class WeChatSender:
    def __init__(self) -> None:
        self.transport = import_string(settings.CIVICDESK_WECHAT_TRANSPORT)
        self.template_id = settings.CIVICDESK_WECHAT_TEMPLATE_ID.strip()

    # --- the API ---------------------------------------------------------------------------

    def _call(self, path: str, params: dict[str, str], payload: dict | None = None) -> dict:
        url = f"{API}/{path}?{urllib.parse.urlencode(params)}"
        body = None
        if payload is not None:
            body = json.dumps(payload, ensure_ascii=False).encode()
        raw = self.transport(url, body, TIMEOUT)
        try:
            answer = json.loads(raw)
        except ValueError:
            raise WeChatSendError(f"{path}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise WeChatSendError(f"{path}: the answer is not a JSON object")
        return answer

    def access_token(self) -> str:
        token = cache.get(_TOKEN_KEY)
        if token:
            return token
        answer = self._call(
            "token",
            {
                "grant_type": "client_credential",
                "appid": settings.CIVICDESK_WECHAT_APP_ID,
                "secret": settings.CIVICDESK_WECHAT_APP_SECRET,
            },
        )
        if "access_token" not in answer:
            code = answer.get("errcode")
            if code in (40013, 40125, 40164):  # wrong AppID, wrong AppSecret, IP not allowed
                raise PermanentSendError(f"token: errcode {code} (check the account settings)")
            raise WeChatSendError(f"token: errcode {code}")
        # Renewed five minutes early: WeChat's tokens live 7,200 seconds.
        cache.set(_TOKEN_KEY, answer["access_token"], max(60, answer.get("expires_in", 7200) - 300))
        return answer["access_token"]

    def _post(self, path: str, payload: dict) -> int:
        """Post a message; its errcode (0: sent). Token and busy errors raise (try again)."""
        answer = self._call(path, {"access_token": self.access_token()}, payload)
        code = int(answer.get("errcode", 0) or 0)
        if code in TOKEN_ERRORS:
            cache.delete(_TOKEN_KEY)
            raise WeChatSendError(f"{path}: errcode {code} (access token), trying again")
        if code in BUSY:
            raise WeChatSendError(f"{path}: errcode {code} (busy)")
        return code

    # --- the two kinds of message ----------------------------------------------------------

    def send(self, to: str, subject: str, body: str) -> None:
        text = f"{subject}\n\n{body}" if subject else body
        code = self._post(
            "message/custom/send",
            {"touser": to, "msgtype": "text", "text": {"content": _clip(text)}},
        )
        if code in OUT_OF_TIME and self.template_id:
            code = self._post("message/template/send", self.template_message(to, subject, body))
        if code == 0:
            return
        if code in OUT_OF_TIME:
            raise PermanentSendError(
                f"errcode {code}: the user has not written to the account for 48 hours; "
                "set CIVICDESK_WECHAT_TEMPLATE_ID to reach them by a template message"
            )
        if code == 43004:
            raise PermanentSendError("errcode 43004: the user no longer follows the account")
        raise PermanentSendError(f"errcode {code}")

    def template_message(self, to: str, subject: str, body: str) -> dict:
        first, _blank, rest = body.partition("\n\n")
        links = _LINK.findall(body)
        codes = _CODE.findall(f"{subject} {body}")
        message = {
            "touser": to,
            "template_id": self.template_id,
            "data": {
                "first": {"value": subject},
                "keyword1": {"value": codes[0] if codes else ""},
                "keyword2": {"value": first.strip()},
                "remark": {"value": rest.strip()},
            },
        }
        if links:
            message["url"] = links[0].rstrip(".,;:!?")
        return message


def _clip(text: str) -> str:
    """The text cut to what a customer-service message holds, on a character boundary."""
    data = text.encode()
    if len(data) <= MAX_CONTENT_BYTES:
        return text
    return data[: MAX_CONTENT_BYTES - 3].decode(errors="ignore") + "…"
