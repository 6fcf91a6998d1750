from django.urls import path

from civicdesk.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("letters/new/<slug:kind>/<int:pk>/", views.letter_new, name="letter_new"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("letters/<int:pk>/<slug:action>/", views.letter_action, name="letter_action"),
    path("instructions/new/<slug:kind>/<int:pk>/", views.instruction_new, name="instruction_new"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction"),
]
