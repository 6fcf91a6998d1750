"""Included at the site's root: the public answer pages under /q/, staff pages under
/staff/questionnaires/."""

from django.urls import path

from civicdesk.questionnaires.views import builder, data, public, review

app_name = "questionnaires"
S = "staff/questionnaires/"
urlpatterns = [
    path("q/<slug:slug>/", public.answer, name="answer"),
    path("q/<slug:slug>/thanks/", public.thanks, name="thanks"),
    path(S, builder.index, name="index"),
    path(f"{S}new/", builder.create, name="create"),
    path(f"{S}<int:pk>/", builder.detail, name="detail"),
    path(f"{S}<int:pk>/settings/", builder.edit_settings, name="settings"),
    path(f"{S}<int:pk>/preview/", builder.preview, name="preview"),
    path(f"{S}<int:pk>/new-version/", builder.new_version, name="new_version"),
    path(f"{S}<int:pk>/discard/", builder.discard_version, name="discard"),
    path(f"{S}<int:pk>/publish/", builder.publish, name="publish"),
    path(f"{S}<int:pk>/close/", builder.close, name="close"),
    path(f"{S}<int:pk>/reopen/", builder.reopen, name="reopen"),
    path(f"{S}<int:pk>/sections/", builder.section_add, name="section_add"),
    path(f"{S}<int:pk>/sections/<int:section_id>/", builder.section_edit, name="section_edit"),
    path(f"{S}<int:pk>/sections/<int:section_id>/delete/", builder.section_delete,
         name="section_delete"),
    path(f"{S}<int:pk>/sections/<int:section_id>/move/", builder.section_move,
         name="section_move"),
    path(f"{S}<int:pk>/questions/new/", builder.question_add, name="question_add"),
    path(f"{S}<int:pk>/questions/<int:question_id>/", builder.question_edit,
         name="question_edit"),
    path(f"{S}<int:pk>/questions/<int:question_id>/delete/", builder.question_delete,
         name="question_delete"),
    path(f"{S}<int:pk>/questions/<int:question_id>/move/", builder.question_move,
         name="question_move"),
    path(f"{S}<int:pk>/results/", data.results, name="results"),
    path(f"{S}<int:pk>/to-confirm/", review.to_confirm, name="to_confirm"),
    path(f"{S}<int:pk>/to-confirm/<int:response_id>/open-case/", review.open_case,
         name="open_case"),
    path(f"{S}<int:pk>/to-confirm/<int:response_id>/no-case/", review.no_case,
         name="no_case"),
    path(f"{S}<int:pk>/export.xlsx", data.export, name="export"),
    path(f"{S}<int:pk>/paper/", data.paper, name="paper"),
    path(f"{S}<int:pk>/paper/template.xlsx", data.paper_template, name="paper_template"),
    path(f"{S}import-reports/<int:report_id>/", data.import_report, name="import_report"),
]  # fmt: skip
