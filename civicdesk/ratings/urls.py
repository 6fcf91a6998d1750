from django.urls import path

from civicdesk.ratings import views

app_name = "ratings"
urlpatterns = [
    path("staff/", views.staff_index, name="staff_index"),
    path("staff/rectifications/", views.rectifications, name="rectifications"),
    path("staff/appeals/", views.appeals, name="appeals"),
    path("staff/window/<slug:code>/", views.window_detail, name="window"),
    path("staff/window/<slug:code>/invite/", views.invite, name="invite"),
    path("staff/window/<slug:code>/poster/", views.poster, name="poster"),
    path("staff/invitation/<int:pk>/", views.invitation_detail, name="invitation"),
    path("staff/ratings/<int:pk>/", views.rating_detail, name="rating"),
    path("staff/ratings/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("staff/ratings/<int:pk>/decide/", views.decide, name="decide"),
    path("window/<slug:code>/", views.window_link, name="window_link"),
    path("window/<slug:code>/staff/<int:staff_id>/", views.window_link, name="window_staff_link"),
    path("again/<str:token>/", views.rerate, name="rerate"),
    path("<str:token>/done/", views.done, name="done"),
    path("<str:token>/", views.rate, name="rate"),
]
