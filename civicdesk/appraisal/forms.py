from datetime import date

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.appraisal import lines


def parse_month(text: str) -> date:
    """ "YYYY-MM" → the first day of that month; ValidationError (translated) if not."""
    text = (text or "").strip()
    try:
        year, month = (int(part) for part in text.split("-"))
        if len(text) != 7 or year < 1000:
            raise ValueError
        return date(year, month, 1)
    except ValueError:
        raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2025-03.")) from None


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    @staticmethod
    def this_month() -> str:
        return f"{timezone.localdate():%Y-%m}"

    def clean_month(self) -> date:
        chosen = parse_month(self.cleaned_data["month"])
        if chosen > timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("The month may not be in the future."))
        return chosen


def _kind_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(code, kind.label) for code, kind in lines.kinds().items()]


def _target_choices() -> list[tuple[str, str]]:
    choices = [("", "—")]
    for kind in lines.kinds().values():
        if kind.targets is not None:
            choices += [(code, label) for code, label in kind.targets().items()]
    return list(dict(choices).items())


class LineForm(forms.Form):
    """One line of a scheme; points and the limit are text, so that schemes.parse_lines can
    say which line holds what it cannot read."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    target = forms.ChoiceField(label=_("Rate"), required=False)
    points = forms.CharField(label=_("Points"), required=False, max_length=20)
    cap = forms.CharField(label=_("At most"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices()
        self.fields["target"].choices = _target_choices()
        self.fields["points"].widget.attrs.update(inputmode="decimal", size=6)
        self.fields["cap"].widget.attrs.update(inputmode="decimal", size=6)

    def row(self) -> dict:
        # Unbound values count too: a kind that is no longer offered still reaches the check.
        return {name: self.data.get(self.add_prefix(name), "") for name in self.fields}


LineFormSet = formset_factory(LineForm, extra=0, max_num=40, absolute_max=40)


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    valid_from = forms.CharField(
        label=_("Valid from (month)"),
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_valid_from(self) -> date:
        return parse_month(self.cleaned_data["valid_from"])
