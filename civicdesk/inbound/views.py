"""The webhooks of the inbound channels: the SMS gateway and the WeChat message server."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.inbound import sms, wechat
from civicdesk.inbound.services import Flooding, InboundError
from civicdesk.inbound.signing import verify

logger = logging.getLogger(__name__)
MAX_BODY = 64 * 1024  # an SMS webhook call or a WeChat message is a few kilobytes at most

STATUS_OF_ERROR = {"signature": 401, "nonce": 401, "timestamp": 401, "stale": 401,
                   "replay": 409}  # fmt: skip


def _error(error: InboundError) -> JsonResponse:
    response = JsonResponse(
        {"error": error.code, "detail": error.message},
        status=429 if isinstance(error, Flooding) else STATUS_OF_ERROR.get(error.code, 400),
    )
    if isinstance(error, Flooding):
        response["Retry-After"] = str(error.retry_after)
    return response


@csrf_exempt
@require_POST
def sms_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.CIVICDESK_SMS_INBOUND_SECRET
    if not secret:
        raise Http404  # the channel is off
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _error(InboundError(sms.too_large_message(MAX_BODY), code="too_large"))
    body = request.body
    try:
        verify(
            channel=sms.CHANNEL,
            secret=secret,
            timestamp=request.headers.get("X-Civicdesk-Timestamp", ""),
            nonce=request.headers.get("X-Civicdesk-Nonce", ""),
            given=request.headers.get("X-Civicdesk-Signature", ""),
            body=body,
            max_age=settings.CIVICDESK_SMS_INBOUND_MAX_AGE,
        )
        handled = sms.handle_sms(sms.parse(body))
    except InboundError as error:
        logger.info("inbound SMS refused: %s", error.code)
        return _error(error)
    return JsonResponse({"result": "repeated" if handled.repeated else str(handled.outcome)})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_server(request: HttpRequest) -> HttpResponse:
    return wechat.serve(request)
