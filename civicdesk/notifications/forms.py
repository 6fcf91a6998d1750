from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.notifications.models import Channel, Event, Kind, Status


def _any(choices) -> list[tuple[str, str]]:
    return [("", _("Any")), *choices]


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_any(Status.choices), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=_any(Channel.choices), required=False)
    event = forms.ChoiceField(label=_("Event"), choices=_any(Event.choices), required=False)

    def filters(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


class PreferenceForm(forms.Form):
    stop_all = forms.BooleanField(label=_("Stop every message to this address"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Or stop only these kinds of message"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
