from django.urls import path

from civicdesk.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.public_list, name="list"),
    path("staff/", views.staff_metrics, name="staff"),
    path("staff/export.xlsx", views.staff_export, name="staff_export"),
    path("staff/record/", views.staff_record, name="record"),
    path("staff/items/new/", views.item_edit, name="item_new"),
    path("staff/items/<slug:code>/edit/", views.item_edit, name="item_edit"),
    path("<slug:code>/", views.public_item, name="item"),
]
