from django.urls import path

from civicdesk.appraisal import views

app_name = "appraisal"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<slug:code>/", views.unit, name="unit"),
    path("units/<slug:code>/lines/<int:position>/", views.line, name="line"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
]
