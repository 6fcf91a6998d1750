from django.urls import path

from civicdesk.notifications import views

app_name = "notifications"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("staff/", views.outbox, name="outbox"),
    path("staff/<int:pk>/resend/", views.resend, name="resend"),
]
