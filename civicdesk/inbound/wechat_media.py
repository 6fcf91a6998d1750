"""Downloading a picture a WeChat user sent, by its media id (临时素材), with the account's
access token. Runs in the worker (civicdesk.inbound.tasks.fetch_wechat_picture), never while
WeChat waits for the reply. Another class with ``fetch(media_id) -> bytes`` can be named in
CIVICDESK_WECHAT_MEDIA_FETCHER (tests use one that reads a file)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache

API = "https://api.weixin.qq.com/cgi-bin"
TIMEOUT = 20
_TOKEN_KEY = "inbound:wechat:access-token"  # noqa: S105 (a cache key, not a secret)


class MediaError(Exception):
    """WeChat answered with an error instead of the picture."""


class WeChatMediaFetcher:
    def __init__(self) -> None:
        self.app_id = settings.CIVICDESK_WECHAT_APP_ID
        self.secret = settings.CIVICDESK_WECHAT_APP_SECRET
        self.max_bytes = settings.CIVICDESK_MAX_PHOTO_BYTES

    def _get(self, path: str, **params: str) -> bytes:
        url = f"{API}/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (https only)
            return response.read(self.max_bytes + 1)

    def access_token(self) -> str:
        token = cache.get(_TOKEN_KEY)
        if token:
            return token
        answer = json.loads(
            self._get(
                "token", grant_type="client_credential", appid=self.app_id, secret=self.secret
            )
        )
        if "access_token" not in answer:
            raise MediaError(f"token: errcode {answer.get('errcode')}")
        # Renewed five minutes early: WeChat's tokens live 7,200 seconds.
        cache.set(_TOKEN_KEY, answer["access_token"], max(60, answer.get("expires_in", 7200) - 300))
        return answer["access_token"]

    def fetch(self, media_id: str) -> bytes:
        data = self._get("media/get", access_token=self.access_token(), media_id=media_id)
        if data[:1] == b"{":  # an error answer is JSON, a picture never starts so
            answer = json.loads(data)
            if answer.get("errcode") in (40001, 42001):  # token expired or revoked
                cache.delete(_TOKEN_KEY)
            raise MediaError(f"media: errcode {answer.get('errcode')}")
        return data
