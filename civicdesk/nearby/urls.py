from django.urls import path

from civicdesk.nearby import views

app_name = "nearby"
urlpatterns = [
    path("", views.report_map, name="map"),
    path("r/<str:public_id>/", views.report, name="report"),
    path("r/<str:public_id>/metoo/", views.metoo, name="metoo"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<str:token>/confirm/", views.alert_confirm, name="alert_confirm"),
    path("alerts/<str:token>/stop/", views.alert_stop, name="alert_stop"),
]
