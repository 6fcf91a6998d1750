from django.urls import path

from civicdesk.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.status, name="status"),
    path("track/<str:code>/dispute/", views.dispute, name="dispute"),
    path("track/<str:code>/satisfaction/", views.satisfaction, name="satisfaction"),
    path("answered/", views.answered, name="answered"),
]
