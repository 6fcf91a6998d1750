from django.urls import path

from civicdesk.applications.views import matters, public, staff

app_name = "applications"
urlpatterns = [
    path("", public.index, name="index"),
    path("matters/<slug:code>/", public.matter, name="matter"),
    path("matters/<slug:code>/apply/", public.apply, name="apply"),
    path("track/", public.track, name="track"),
    path("track/<str:code>/verify/", public.verify, name="verify"),
    path("a/<str:code>/", public.mine, name="mine"),
    path("a/<str:code>/materials/<int:material_id>/", public.supply, name="supply"),
    path("a/<str:code>/withdraw/", public.withdraw, name="withdraw"),
    path("a/<str:code>/rate/", public.rate, name="rate"),
    path("staff/", staff.application_list, name="staff_list"),
    path("staff/new/", staff.application_new, name="staff_new"),
    path("staff/kiosk/", staff.kiosk, name="kiosk"),
    path("staff/a/<int:pk>/", staff.application_detail, name="staff_detail"),
    path("staff/a/<int:pk>/<slug:action>/", staff.application_action, name="staff_action"),
    path("staff/files/<int:pk>/", staff.upload_file, name="staff_file"),
    path("staff/matters/", matters.matter_list, name="matters"),
    path("staff/matters/<slug:code>/new/", matters.version_new, name="version_new"),
    path("staff/versions/<int:pk>/", matters.version_detail, name="version"),
    path(
        "staff/versions/<int:pk>/withdraw/",
        matters.version_withdraw_view,
        name="version_withdraw",
    ),
    path("staff/figures/", matters.figures_page, name="figures"),
]
