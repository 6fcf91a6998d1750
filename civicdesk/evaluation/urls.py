from django.urls import path

from civicdesk.evaluation import views, visit_views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("monthly/", views.monthly, name="monthly"),
    path("my-unit/", views.my_unit, name="my_unit"),
    path("f/<str:token>/", views.followup, name="followup"),
    path("cases/<int:pk>/call/", views.record_call, name="record_call"),
    path("visits/", visit_views.queue, name="visits"),
    path("visits/build/", visit_views.build, name="visit_build"),
    path("visits/<int:pk>/", visit_views.detail, name="visit"),
    path("visits/<int:pk>/cancel/", visit_views.cancel, name="visit_cancel"),
    path("visits/rules/", visit_views.rules, name="visit_rules"),
    path("visits/rules/<int:pk>/", visit_views.rule_edit, name="visit_rule"),
    path("visits/scripts/", visit_views.scripts, name="visit_scripts"),
    path("visits/scripts/<int:pk>/", visit_views.script_edit, name="visit_script"),
    path("praise/", visit_views.praise, name="praise"),
]
