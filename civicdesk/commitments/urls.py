from django.urls import path

from civicdesk.commitments import views

app_name = "commitments"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("<int:pk>/", views.public_problem, name="public_problem"),
    path("<int:pk>/subscribe/", views.subscribe, name="subscribe"),
    path("subscription/<str:token>/confirm/", views.confirm, name="confirm"),
    path("subscription/<str:token>/stop/", views.unsubscribe, name="unsubscribe"),
    path("staff/due/", views.staff_due, name="staff_due"),
    path("staff/problems/<int:pk>/", views.staff_problem, name="staff_problem"),
    path("staff/measures/<int:pk>/", views.staff_measure, name="staff_measure"),
    path(
        "staff/measures/<int:pk>/<slug:action>/",
        views.staff_measure_action,
        name="staff_measure_action",
    ),
    path("staff/evidence/<int:pk>/", views.staff_evidence, name="staff_evidence"),
]
