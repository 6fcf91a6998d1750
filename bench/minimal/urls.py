import json

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench.minimal.models import Note


@csrf_exempt
def create(request: HttpRequest) -> JsonResponse:
    """One insert; answers with the key, which the load script reads as a tracking code."""
    body = json.loads(request.body)
    note = Note.objects.create(
        key=request.headers.get("Idempotency-Key", ""), text=body.get("description", "")
    )
    return JsonResponse({"tracking_code": note.key}, status=201)


def lookup(request: HttpRequest, key: str) -> JsonResponse:
    """One select by a unique key."""
    found = list(Note.objects.filter(key=key).values("key", "text", "created_at")[:1])
    if not found:
        raise Http404
    return JsonResponse(found[0])


urlpatterns = [
    path("api/v1/submissions", create),
    path("api/v1/submissions/<str:key>", lookup),
]
