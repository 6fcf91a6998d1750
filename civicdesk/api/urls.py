from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from civicdesk.api.api import api


@csrf_exempt  # like the API's own views: token-authenticated, never a browser form
def api_not_found(request: HttpRequest, rest: str) -> JsonResponse:
    """The API's own JSON 404 for an address under v1/ that no operation matches.

    Without it, a path parameter outside its URL converter (``/reports/inaction/-5``, whose
    ``{int:report_id}`` takes digits only) fell through to the site's HTML 404 page.
    """
    return JsonResponse({"detail": "Not found"}, status=404)


# No app_name here: ninja reverses its own views as "api-v1:…", which must stay a top-level
# namespace for the OpenAPI document and the docs page to find their URLs.
urlpatterns = [
    # OpenAPI document at v1/openapi.json, interactive docs at v1/docs.
    path("v1/", api.urls),
    re_path(r"^v1/(?P<rest>.*)$", api_not_found),
]
