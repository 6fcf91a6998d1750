from django.urls import path

app_name = "commitments"
urlpatterns: list = []
