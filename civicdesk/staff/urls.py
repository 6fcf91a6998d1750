from django.urls import path

from civicdesk.staff import queue_views, views, workorders

app_name = "staff"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
    path("queues/counts/", queue_views.queue_counts, name="queue_counts"),
    path("queues/batch/", queue_views.batch_action, name="batch"),
    path("queues/<slug:slug>/", queue_views.queue, name="queue"),
    path("queues/<slug:slug>/next/", queue_views.queue_next, name="queue_next"),
    path("reply-template/", views.reply_template_text, name="reply_template"),
    path("record/", views.record, name="record"),
    path("work-orders/", workorders.work_orders, name="work_orders"),
    path("work-orders/rules/<int:pk>/off/", workorders.rule_deactivate, name="rule_deactivate"),
]
