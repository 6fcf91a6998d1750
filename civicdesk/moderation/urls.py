from django.urls import path

from civicdesk.moderation import views

app_name = "moderation"
urlpatterns = [
    path("report/<str:public_id>/", views.report_abuse, name="report_abuse"),
    path("staff/", views.queue, name="queue"),
    path("staff/cases/<int:case_id>/", views.case_texts, name="case"),
    path("staff/cases/<int:case_id>/<str:field>/", views.moderate, name="moderate"),
    path("staff/reports/<int:report_id>/dismiss/", views.dismiss, name="dismiss"),
]
