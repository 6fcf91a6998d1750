from django.urls import path

from civicdesk.reports import views
from civicdesk.reports.workflow import Ledger

app_name = "reports"

urlpatterns = [
    # Public: file a report, follow an intermediary report with its secret code.
    path(
        "misconduct/",
        views.public_file,
        {"ledger": Ledger.INACTION},
        name="public_inaction",
    ),
    path(
        "intermediary/",
        views.public_file,
        {"ledger": Ledger.INTERMEDIARY},
        name="public_intermediary",
    ),
    path("follow-up/", views.followup, name="followup"),
    path("follow-up/add/", views.followup_add, name="followup_add"),
    # Staff.
    path("staff/file/", views.staff_file, name="staff_file"),
]

for ledger in Ledger:
    urlpatterns += [
        path(
            f"staff/{ledger.value}/",
            views.report_list,
            {"ledger": ledger.value},
            name=f"{ledger.value}_list",
        ),
        path(
            f"staff/{ledger.value}/export/",
            views.report_export,
            {"ledger": ledger.value},
            name=f"{ledger.value}_export",
        ),
        path(
            f"staff/{ledger.value}/import/",
            views.report_import,
            {"ledger": ledger.value},
            name=f"{ledger.value}_import",
        ),
        path(
            f"staff/{ledger.value}/import/rejected/<int:pk>/",
            views.import_rejected,
            {"ledger": ledger.value},
            name=f"{ledger.value}_import_rejected",
        ),
        path(
            f"staff/{ledger.value}/<int:pk>/",
            views.report_detail,
            {"ledger": ledger.value},
            name=f"{ledger.value}_detail",
        ),
        path(
            f"staff/{ledger.value}/<int:pk>/<slug:action>/",
            views.report_action,
            {"ledger": ledger.value},
            name=f"{ledger.value}_action",
        ),
    ]
