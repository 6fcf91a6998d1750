from django.urls import path

from civicdesk.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/merge/", views.run_merge, name="run_merge"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster"),
    path("clusters/<int:pk>/<slug:action>/", views.cluster_action, name="cluster_action"),
    path("problems/new/", views.problem_edit, name="problem_new"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("cases/<int:pk>/triage/", views.case_triage_panel, name="case_triage"),
    path("hints/", views.same_problem_hints, name="same_problem_hints"),
]
