"""Django's form renderer, with civicdesk's form field and file picker, and <select> written
in Python.

Fields (`{{ field.as_field_group }}`, `{{ form }}`, `{{ form.as_div }}`) render as the design
system's form field: label, control, help and errors (docs/design.md). File inputs become a
button in the page's language with the chosen names beside it, not the browser's "Choose
Files". Labels take the language's colon, and none after a label that ends in punctuation
("遇到了什么问题？" had "？：").

Django renders every <option> through two template includes; a filter bar with a few
choice lists then spent half a staff page's time on its options. The output is the same
markup as Django's own select templates (a test compares them); any select whose option
template was replaced still goes through the templates. Django's empty choice "---------"
reads "Choose" in a required list and "Any" in a filter (a list that may stay empty).
"""

import unicodedata

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"

# Django's templates → the design system's. Django's own template folder comes first in its
# renderer's search path, so its names cannot simply be overridden.
TEMPLATES = {
    "django/forms/widgets/file.html": "civicdesk/forms/file.html",
    "django/forms/widgets/clearable_file_input.html": "civicdesk/forms/file.html",
    "django/forms/div.html": "civicdesk/forms/form.html",
}


def _ends_in_punctuation(text: str) -> bool:
    return bool(text) and unicodedata.category(text[-1]).startswith("P")


class BoundField(forms.BoundField):
    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        if label_suffix is None:
            suffix = (
                self.field.label_suffix
                if self.field.label_suffix is not None
                else self.form.label_suffix
            )
            if _ends_in_punctuation(str(contents or self.label or "")):
                label_suffix = ""
            elif suffix == ":":
                # Django's own ":" stays ASCII in Chinese; ours is the full-width colon there.
                label_suffix = pgettext("after a form label", ":")
        return super().label_tag(contents, attrs, label_suffix, tag)


class FormRenderer(DjangoTemplates):
    bound_field_class = BoundField
    form_template_name = "civicdesk/forms/form.html"
    field_template_name = "civicdesk/forms/field.html"

    def render(self, template_name, context, request=None) -> SafeString:
        template_name = TEMPLATES.get(template_name, template_name)
        if template_name == SELECT:
            widget = context["widget"]
            if all(
                option["template_name"] == OPTION
                for _name, options, _index in widget["optgroups"]
                for option in options
            ):
                return mark_safe(_select(widget))  # noqa: S308 (every value is escaped in _select)
        return super().render(template_name, context, request=request)


def _attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


DJANGO_EMPTY_LABEL = "---------"


def _label(option: dict, required: bool) -> str:
    label = option["label"]
    if label == DJANGO_EMPTY_LABEL and option["value"] in ("", None):
        return gettext("Choose") if required else gettext("Any")
    return label


def _select(widget: dict) -> str:
    required = bool(widget.get("required"))
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            label = conditional_escape(_label(option, required))
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                # The option template's own trailing newline comes with each include.
                f"{_attrs(option['attrs'])}>{label}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
