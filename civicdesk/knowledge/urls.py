from django.urls import path

from civicdesk.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.public_search, name="search"),
    path("<int:pk>/", views.public_entry, name="entry"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.edit, name="new"),
    path("staff/<int:pk>/", views.staff_entry, name="staff_entry"),
    path("staff/<int:pk>/edit/", views.edit, name="edit"),
    path("cases/<int:case_pk>/", views.case_entries, name="case_entries"),
    path("cases/<int:case_pk>/use/<int:entry_pk>/", views.use, name="use"),
]
