"""The Python <select> writes exactly what Django's select templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
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
    assert ours == django and 'value="snapshot" selected' in ours
