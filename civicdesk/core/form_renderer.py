"""Django's form renderer, with <select> written in Python.

Django renders every <option> through two template includes; a filter bar with a few
choice lists then spent half a staff page's time on its options. The output is the same
markup as Django's own select templates (a test compares them); any select whose option
template was replaced still goes through the templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None) -> SafeString:
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


def _select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                # The option template's own trailing newline comes with each include.
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
