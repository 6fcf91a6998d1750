from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """A partial-page request from htmx (boosted links and full navigations are not)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")
