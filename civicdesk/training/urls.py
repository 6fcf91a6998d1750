from django.urls import path

from civicdesk.training import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("hours/", views.hours, name="hours"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("readings/new/", views.assignment_new, name="assignment_new"),
    path("readings/<int:pk>/", views.assignment, name="assignment"),
    path("contests/new/", views.contest_new, name="contest_new"),
    path("contests/<int:pk>/", views.contest, name="contest"),
]
