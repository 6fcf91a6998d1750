from django.urls import path

from civicdesk.staff import views, workorders

app_name = "staff"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
    path("reply-template/", views.reply_template_text, name="reply_template"),
    path("record/", views.record, name="record"),
    path("work-orders/", workorders.work_orders, name="work_orders"),
    path("work-orders/rules/<int:pk>/off/", workorders.rule_deactivate, name="rule_deactivate"),
]
