from django.urls import path

from civicdesk.bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin, name="bulletin"),
]
