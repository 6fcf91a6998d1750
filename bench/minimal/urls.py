import json

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench.minimal.models import Note


@csrf_exempt
def create(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    note = Note.objects.create(
        key=request.headers.get("Idempotency-Key", ""), text=body.get("description", "")
    )
    return JsonResponse({"id": note.pk}, status=201)


urlpatterns = [path("api/v1/submissions", create)]
