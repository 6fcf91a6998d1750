"""The native API, version 1: public reporting and tracking, and token-authenticated staff work."""

from ninja import NinjaAPI

from civicdesk.api import cases, submissions
from civicdesk.api.errors import install_handlers

api = NinjaAPI(
    version="1",
    urls_namespace="api-v1",
    title="civicdesk API",
    description=(
        "Report problems and follow them by tracking code (no account needed), and work on "
        "cases with a staff API token sent as `Authorization: Bearer <token>`. Error bodies "
        "have a `detail`: a sentence in the language of `Accept-Language`, or for 422 a list "
        "of `{type, loc, msg}` whose `msg` starts with the field name."
    ),
)
install_handlers(api)
api.add_router("/", submissions.router)
api.add_router("/cases", cases.router)
