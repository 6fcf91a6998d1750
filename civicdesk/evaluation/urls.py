from django.urls import path

from civicdesk.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("monthly/", views.monthly, name="monthly"),
    path("my-unit/", views.my_unit, name="my_unit"),
    path("f/<str:token>/", views.followup, name="followup"),
    path("cases/<int:pk>/call/", views.record_call, name="record_call"),
]
