from django.urls import path

from civicdesk.integrity import views

app_name = "integrity"
urlpatterns = [
    path("", views.index, name="index"),
    path("log/", views.access_log, name="log"),
    path("<slug:signal>/", views.signal_list, name="list"),
]
