from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import include, path
from django.views.i18n import set_language
from django.views.static import serve

from civicdesk.core import views as core_views
from civicdesk.core.downloads import image_type_for, secure_upload_headers

urlpatterns = [
    # The API and Open311 first: their clients are machines sending many requests, and URL
    # resolution tries every earlier pattern before reaching theirs.
    path("api/", include("civicdesk.api.urls")),
    path("open311/v2/", include("civicdesk.open311.urls")),
    path("", include("civicdesk.public.urls")),
    path("staff/", include("civicdesk.staff.urls")),
    path("staff/triage/", include("civicdesk.problems.urls")),
    path("staff/supervision/", include("civicdesk.supervision.urls")),
    path("commitments/", include("civicdesk.commitments.urls")),
    path("ledgers/", include("civicdesk.ledgers.urls")),
    path("reports/", include("civicdesk.reports.urls")),
    path("staff/bulletins/", include("civicdesk.bulletins.urls")),
    path("rate/", include("civicdesk.ratings.urls")),
    path("evaluation/", include("civicdesk.evaluation.urls")),
    path("", include("civicdesk.questionnaires.urls")),
    path("services/", include("civicdesk.catalogue.urls")),
    path("knowledge/", include("civicdesk.knowledge.urls")),
    path("staff/appraisal/", include("civicdesk.appraisal.urls")),
    path("staff/training/", include("civicdesk.training.urls")),
    path("hall/", include("civicdesk.applications.urls")),
    path("integrity/", include("civicdesk.integrity.urls")),
    path("dashboard/", include("civicdesk.dashboard.urls")),
    path("staff/imports/", include("civicdesk.imports.urls")),
    path("notifications/", include("civicdesk.notifications.urls")),
    path("inbound/", include("civicdesk.inbound.urls")),
    path("nearby/", include("civicdesk.nearby.urls")),
    path("moderation/", include("civicdesk.moderation.urls")),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Staff change their own password; administrators set a forgotten one in the admin.
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_changed.html"),
        name="password_change_done",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
]

# Folders of MEDIA_ROOT that only their own access-checked views may serve.
PRIVATE_MEDIA = ("commitments/", "applications/")


def serve_public_media(request, path: str):
    if path.startswith(PRIVATE_MEDIA) or ".." in path.split("/"):
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # Public media are photos that intake re-encoded: their stored extension was chosen by
    # that check. Anything else that lands here is only ever offered as a download.
    return secure_upload_headers(
        response, content_type=image_type_for(path), filename=path.rsplit("/", 1)[-1]
    )


if settings.DEBUG or settings.CIVICDESK_SERVE_MEDIA:
    urlpatterns.append(path("media/<path:path>", serve_public_media))
