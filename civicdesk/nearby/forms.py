"""Forms of the public map and the area alerts."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import Category
from civicdesk.core.templatetags.civic import local_name
from civicdesk.nearby.models import AlertKind
from civicdesk.nearby.queries import ANSWERED, OPEN

STATUS_CHOICES = [(OPEN, _("Being handled")), (ANSWERED, _("Answered"))]
# Radii offered on the page (metres); the API takes any whole number up to the setting.
RADIUS_STEPS = (200, 500, 1000, 2000, 5000, 10000)


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return local_name(obj)


class MapFilterForm(forms.Form):
    category = CategoryChoice(
        label=_("Category"),
        queryset=Category.objects.filter(parent__isnull=False, is_active=True),
        required=False,
        to_field_name="code",
        empty_label=_("All categories"),
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def radius_choices() -> list[tuple[int, str]]:
    limit = int(getattr(settings, "CIVICDESK_ALERT_MAX_RADIUS", 5000))
    steps = [step for step in RADIUS_STEPS if step <= limit] or [limit]
    return [(step, _("%(km)s km") % {"km": f"{step / 1000:g}"}) for step in steps]


class AlertForm(forms.Form):
    email = forms.CharField(label=_("Your e-mail"), max_length=254)
    kind = forms.ChoiceField(
        label=_("Area"),
        choices=AlertKind.choices,
        initial=AlertKind.RADIUS,
        widget=forms.RadioSelect,
    )
    latitude = forms.CharField(label=_("Latitude"), required=False, max_length=20)
    longitude = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    radius_m = forms.TypedChoiceField(label=_("Distance"), coerce=int, required=False)
    street = forms.CharField(
        label=_("Street"),
        required=False,
        max_length=100,
        help_text=_("As it appears in addresses, e.g. 文三路."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = radius_choices()
        self.fields["radius_m"].choices = choices
        self.fields["radius_m"].initial = next(
            (value for value, _label in choices if value == 1000), choices[0][0]
        )
