"""Errors the API answers with, and the handlers that turn them into JSON responses.

Every error body has a ``detail``: a translated sentence for our own errors, or ninja's list
of ``{type, loc, msg}`` for validation errors, whose ``msg`` always starts with the field name
so that a client can show it as is, in the request's language (civicdesk.api.messages).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from civicdesk.api.messages import translated_message

# Names of our view parameters that hold a whole schema; they say nothing to the client.
_PARAM_NAMES = frozenset({"payload", "filters", "pagination"})
_SOURCES = frozenset({"body", "form", "file", "query", "path", "header", "cookie"})


class ApiError(Exception):
    """An error with a status code, a translated message and optional response headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def field_error(source: str, field: str, message: str, kind: str = "value_error") -> dict:
    """One entry of ninja's 422 list, for checks that need the database (codes, photos)."""
    # "payload" matches the location ninja itself gives the fields of our body schemas.
    return {"type": kind, "loc": [source, "payload", field], "msg": message}


def invalid(source: str, field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([field_error(source, field, message)])


def field_name(loc: list) -> str:
    """The client-facing name of the field at ``loc`` (``["body", "payload", "x"]`` → ``x``)."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in _PARAM_NAMES:
        parts = parts[1:]
    return ".".join(parts)


def named_error(error: dict) -> dict:
    name = field_name(error.get("loc") or [])
    message = translated_message(error)
    if name and not message.startswith(f"{name}: "):
        message = f"{name}: {message}"
    # ctx and url may hold objects that are not JSON (exceptions) and add nothing for clients.
    cleaned = {key: value for key, value in error.items() if key not in {"ctx", "url"}}
    return cleaned | {"msg": message}


def unreadable_form_message() -> str:
    """Why a multipart body could not be read (no boundary, or parts that do not use it)."""
    return _(
        "The multipart form could not be read: send Content-Type: multipart/form-data with "
        "its boundary (multipart/form-data; boundary=…), as HTTP clients do when they send "
        "files, and separate the parts with that boundary."
    )


def install_handlers(api: NinjaAPI) -> None:
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = api.create_response(request, {"detail": exc.message}, status=exc.status)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": [named_error(error) for error in exc.errors]}, status=422
        )

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same plain answer for every miss, even in debug mode: a 404 must not hint at
        # whether a tracking code or case exists.
        return api.create_response(request, {"detail": "Not found"}, status=404)

    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _("A valid staff API token is required: send Authorization: Bearer <token>.")
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Django refuses to read a body past DATA_UPLOAD_MAX_MEMORY_SIZE (files not counted).
        message = _("The request body is larger than %(limit)s; send less at a time.") % {
            "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        }
        return api.create_response(request, {"detail": message}, status=413)

    def on_too_many(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = _("The request has too many fields or files; send less at a time.")
        return api.create_response(request, {"detail": message}, status=413)

    def on_unreadable_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # Django raises this while reading request.POST or FILES, before any view runs: a 500
        # (ninja, in debug mode) or Django's HTML 400 page otherwise, neither of them JSON.
        return api.create_response(request, {"detail": unreadable_form_message()}, status=400)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja turns any error of the body parser into a 400; ours say what is wrong.
        if isinstance(exc.__cause__, NinjaValidationError):
            return on_validation_error(request, exc.__cause__)
        if isinstance(exc.__cause__, ApiError):
            return on_api_error(request, exc.__cause__)
        message = str(exc)
        if exc.status_code == 400:
            # ninja's own words are untranslated and do not say what to send instead.
            message = _(
                "The request body could not be read: send JSON with Content-Type: "
                "application/json, or a multipart form where the operation takes files."
            )
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(TooManyFieldsSent, on_too_many)
    api.add_exception_handler(TooManyFilesSent, on_too_many)
    api.add_exception_handler(MultiPartParserError, on_unreadable_form)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(AuthenticationError, on_auth_error)
