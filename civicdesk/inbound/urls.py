from django.urls import path

from civicdesk.inbound import views

app_name = "inbound"
urlpatterns = [
    path("sms/", views.sms_webhook, name="sms"),
    path("wechat/", views.wechat_server, name="wechat"),
]
