from django.urls import path

from civicdesk.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("promises/", views.promises, name="promises"),
    path("promises/new/", views.promise_new, name="promise_new"),
    path("promises/export.xlsx", views.promises_export, name="promises_export"),
    path("promises/<int:item_id>/", views.promise, name="promise"),
    path("promises/<int:item_id>/resolve/", views.promise_resolve, name="promise_resolve"),
    path("promises/<int:item_id>/confirm/", views.promise_confirm, name="promise_confirm"),
    path("backlog/", views.backlog, name="backlog"),
    path("backlog/new/", views.backlog_new, name="backlog_new"),
    path("backlog/export.xlsx", views.backlog_export, name="backlog_export"),
    path("backlog/<int:case_id>/", views.backlog_case, name="backlog_case"),
    path("import/<str:ledger>/", views.ledger_import, name="import"),
    path("import/reports/<int:report_id>/", views.import_report, name="import_report"),
    path("utilities/", views.utilities, name="utilities"),
    path("utilities/manage/", views.utilities_manage, name="utilities_manage"),
    path("utilities/export.xlsx", views.utilities_export, name="utilities_export"),
    path("utilities/<int:utility_id>/", views.utility, name="utility"),
    path("utilities/<int:utility_id>/versions/<int:version>/", views.utility,
         name="utility_version"),
    path("utilities/<int:utility_id>/report/", views.utility_report, name="utility_report"),
    path("utilities/<int:utility_id>/publish/", views.utility_publish, name="utility_publish"),
]  # fmt: skip
