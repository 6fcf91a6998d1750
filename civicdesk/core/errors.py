"""Error pages in words, with debug mode on too.

A page a staff member may not open answers 404 (core.access: nothing tells them it exists).
With debug mode on, as in the demo, Django showed its technical "Page not found" instead of
civicdesk's page; this middleware renders the project's 404.html and 403.html for what views
raise, whatever the mode. Unknown URLs (no view at all) keep Django's handling: in debug mode
its list of URL patterns helps whoever mistyped one.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

# Machines get the errors of their own protocol from these.
MACHINE_PREFIXES = ("/api/", "/open311/", "/inbound/")


class ErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith(MACHINE_PREFIXES):
            return None
        if isinstance(exception, Http404):
            response = TemplateResponse(request, "404.html", status=404)
        elif isinstance(exception, PermissionDenied):
            response = TemplateResponse(request, "403.html", status=403)
        else:
            return None
        return response.render()
