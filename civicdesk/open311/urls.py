from django.urls import path, re_path

from civicdesk.open311 import views

app_name = "open311"
# Every resource ends in its format (.xml or .json); ids may contain dots, so the format is
# what follows the last one.
urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery\.(?P<fmt>\w+)$", views.discovery, name="discovery"),
    re_path(r"^services\.(?P<fmt>\w+)$", views.services, name="services"),
    re_path(
        r"^services/(?P<code>[^/]+)\.(?P<fmt>\w+)$",
        views.service_definition,
        name="service_definition",
    ),
    re_path(r"^requests\.(?P<fmt>\w+)$", views.service_requests, name="requests"),
    re_path(
        r"^requests/(?P<request_id>[^/]+)\.(?P<fmt>\w+)$",
        views.service_request,
        name="request",
    ),
    re_path(r"^tokens/(?P<token>[^/]+)\.(?P<fmt>\w+)$", views.token, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
