from django.urls import path

from civicdesk.api.api import api

# No app_name here: ninja reverses its own views as "api-v1:…", which must stay a top-level
# namespace for the OpenAPI document and the docs page to find their URLs.
urlpatterns = [
    # OpenAPI document at v1/openapi.json, interactive docs at v1/docs.
    path("v1/", api.urls),
]
