from django.urls import path

from civicdesk.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/columns/", views.mapping, name="mapping"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/rerun/", views.rerun, name="rerun"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/rejected.<str:kind>", views.report, name="report"),
]
