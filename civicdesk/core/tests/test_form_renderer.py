"""The Python <select> writes exactly what Django's select templates write; fields render as
the design system's form field, file inputs as its file picker."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from civicdesk.core.form_renderer import FormRenderer

GROUPED = [
    ("", "—"),
    ("水电", [("water", "供水 <停水>"), ("power", 'Power "grid" & co')]),
    ("roads", "道路"),
]


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "A"), ("b", "B & <b>")])
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=[(1, "一"), (2, "二"), (3, "三")])
    flagged = forms.NullBooleanField()
    attributes = forms.ChoiceField(
        choices=[("x", mark_safe("<em>safe</em>"))],
        widget=forms.Select(
            attrs={"class": 'wide "q"', "disabled": True, "hidden": False, "data-n": 3}
        ),
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "b", "grouped": "power", "many": ["1", "3"], "flagged": "true"},
        {"plain": "zzz", "grouped": "<script>", "many": ["9"], "flagged": "unknown"},
    ],
)
@pytest.mark.parametrize("field", ["plain", "grouped", "many", "flagged", "attributes"])
def test_the_same_markup_as_the_templates(data, field):
    ours = Everything(data, renderer=FormRenderer())[field].as_widget()
    django = Everything(data, renderer=DjangoTemplates())[field].as_widget()
    assert ours == django
    assert "<option" in ours


def test_a_custom_option_template_still_goes_through_the_templates(settings):
    class Option(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    widget = Option(choices=[("a", "A")])
    assert "<input" in widget.render("x", "a", renderer=FormRenderer())


def test_it_is_the_renderer_of_every_form():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.django_db
def test_model_choices_too():
    from civicdesk.intake.models import Channel

    class Channels(forms.Form):
        channel = forms.ModelChoiceField(Channel.objects.all(), to_field_name="code")

    ours, django = (
        Channels({"channel": "snapshot"}, renderer=renderer)["channel"].as_widget()
        for renderer in (FormRenderer(), DjangoTemplates())
    )
    # Django's empty choice, "---------", is ours in words (the next test).
    assert ours.replace(">Choose<", ">---------<") == django
    assert 'value="snapshot" selected' in ours


@pytest.mark.django_db
def test_the_empty_choice_is_in_words():
    from civicdesk.intake.models import Channel

    class Channels(forms.Form):
        channel = forms.ModelChoiceField(Channel.objects.all())
        since = forms.ModelChoiceField(Channel.objects.all(), required=False)

    form = Channels(renderer=FormRenderer())
    assert '<option value="" selected>Choose</option>' in form["channel"].as_widget()
    assert '<option value="" selected>Any</option>' in form["since"].as_widget()
    assert "---------" not in str(form)
    with translation.override("zh-hans"):
        assert ">请选择</option>" in Channels(renderer=FormRenderer())["channel"].as_widget()


# --- The design system's form field and file picker -------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReportForm(forms.Form):
    problem = forms.CharField(label="遇到了什么问题？", help_text="Say where and since when.")
    unit = forms.CharField(label="Unit")
    agree = forms.BooleanField(label="I agree", required=False)
    photos = forms.FileField(
        label="Photos", required=False, widget=MultipleFileInput(attrs={"multiple": True})
    )


def test_no_colon_after_a_label_that_ends_in_punctuation():
    html = str(ReportForm()["problem"].label_tag())
    assert ">遇到了什么问题？</label>" in html  # not "？：" nor "？:"


def test_labels_take_the_languages_colon():
    form = ReportForm()
    assert ">Unit:</label>" in str(form["unit"].label_tag())
    with translation.override("zh-hans"):
        assert ">Unit：</label>" in str(form["unit"].label_tag())


def test_a_form_renders_as_design_system_fields():
    form = ReportForm(data={"unit": ""})
    html = str(form)
    assert '<div class="field field--invalid" id="field-problem">' in html
    assert '<div class="help" id="id_problem_helptext">Say where and since when.</div>' in html
    assert 'aria-describedby="id_problem_helptext id_problem_error"' in html
    assert '<ul class="errorlist"' in html
    # A checkbox comes before its label.
    assert re.search(r'field--check[^>]*>\s*<input type="checkbox"[^>]*>\s*<label', html)
    assert str(form.as_div()) == html


def test_a_file_input_is_a_button_in_the_pages_language():
    html = str(ReportForm()["photos"])
    assert 'class="file-picker"' in html and "data-file-picker" in html
    assert 'type="file" name="photos" class="file-picker__input"' in html
    assert "Choose files" in html and "No file chosen" in html
    with translation.override("zh-hans"):
        html = str(ReportForm()["photos"])
    assert "Choose files" not in html and "No file chosen" not in html
