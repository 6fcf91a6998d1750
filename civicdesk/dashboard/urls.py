from django.urls import path

from civicdesk.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.public, name="public"),
    path("staff/", views.index, name="index"),
    path("staff/cases/", views.drill, name="drill"),
    path("staff/export.xlsx", views.export, name="export"),
    path("staff/problems/", views.problems, name="problems"),
    path("staff/map.json", views.map_squares, name="map"),
    path("problems/", views.public_problems, name="public_problems"),
]
