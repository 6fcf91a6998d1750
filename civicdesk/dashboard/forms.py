from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.core.templatetags.civic import local_name
from civicdesk.dashboard.figures import MEASURE_STATES, Scope
from civicdesk.evaluation.forms import PeriodForm
from civicdesk.evaluation.rates import ALL_FIGURES
from civicdesk.ratings.models import Level


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u2003" * obj.depth + local_name(obj)


class DashboardForm(PeriodForm):
    """Period and unit; `public=True` offers only the units the public table compares."""

    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All units"),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def scope(self) -> Scope:
        since, end = self.period()
        return Scope(since=since, end=end, unit=self.cleaned_data.get("unit"))


PARTS = [("numerator", _("counted")), ("denominator", _("of"))]


class DrillForm(DashboardForm):
    """The filter behind one number of the dashboard; at most one kind of list at a time."""

    channel = forms.IntegerField(required=False, min_value=1)
    category = forms.CharField(required=False, max_length=20)
    aspect = forms.CharField(required=False, max_length=20)
    day = forms.DateField(required=False)
    # A map square: "<latitude square>,<longitude square>" (see figures.map_squares).
    square = forms.RegexField(
        required=False,
        regex=r"^-?\d{1,6},-?\d{1,6}$",
        error_messages={"invalid": _("A map square is two whole numbers: latitude,longitude.")},
    )
    # Leave merged duplicates out, as the rates and the units' case counts do.
    counted = forms.BooleanField(required=False)
    rate = forms.ChoiceField(required=False, choices=[("", "")] + [(r, r) for r in ALL_FIGURES])
    part = forms.ChoiceField(required=False, choices=PARTS)
    level = forms.TypedChoiceField(
        required=False, coerce=int, choices=[("", "")] + [(str(v), v) for v in Level.values]
    )
    measures = forms.ChoiceField(required=False, choices=[("", ""), *MEASURE_STATES])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def _category_id(self, name: str) -> int | str | None:
        value = self.cleaned_data.get(name) or ""
        if value in ("", "none"):
            return value or None
        if not value.isdigit():
            raise forms.ValidationError(
                _("%(field)s must be a category number or “none”."), params={"field": name}
            )
        return int(value)

    def clean_square(self) -> tuple[int, int] | None:
        value = self.cleaned_data.get("square")
        if not value:
            return None
        lat, lng = (int(part) for part in value.split(","))
        return lat, lng

    def clean_category(self):
        return self._category_id("category")

    def clean_aspect(self):
        return self._category_id("aspect")

    def clean(self):
        data = super().clean()
        if data.get("rate") and not data.get("part"):
            self.add_error("part", _("Say which side of the rate to list: counted or of."))
        if data.get("part") and not data.get("rate"):
            self.add_error("rate", _("Choose the rate whose cases to list."))
        kinds = [k for k in ("rate", "level", "measures") if data.get(k) not in (None, "")]
        volume = [k for k in ("channel", "category", "aspect", "day", "square") if data.get(k)]
        if len(kinds) > 1 or (kinds and volume):
            raise forms.ValidationError(
                _(
                    "Choose one figure at a time: a rate, a rating level, a commitment state, or "
                    "the cases received by channel, category, aspect or day."
                )
            )
        day = data.get("day")
        since, until = data.get("since"), data.get("until")
        if day and since and until and not since <= day <= until:
            self.add_error("day", _("The day must be inside the period."))
        return data

    @property
    def kind(self) -> str:
        data = self.cleaned_data
        if data.get("rate"):
            return "rate"
        if data.get("level"):
            return "ratings"
        if data.get("measures"):
            return "measures"
        return "cases"
