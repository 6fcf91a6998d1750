"""Forms of the supervision pages; the services check everything again."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit
from civicdesk.core.deadlines import local_today
from civicdesk.staff.forms import LocalNameChoiceField


def _text(label, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=5000, widget=forms.Textarea(attrs={"rows": rows})
    )


class UnitChoiceMixin(forms.Form):
    # Left out, the lead unit (the first of the units involved).
    unit = LocalNameChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=None, required=False
    )

    def __init__(self, *args, units: list[Unit], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[unit.pk for unit in units])
        if units:
            self.fields["unit"].initial = units[0].pk


class LetterForm(UnitChoiceMixin):
    requirement = _text(_("What the unit must do and report"), rows=4)
    deadline = forms.DateField(label=_("Reply by"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        tomorrow = local_today() + timedelta(days=1)
        self.fields["deadline"].widget = forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "min": tomorrow.isoformat()}
        )


class InstructionForm(UnitChoiceMixin):
    text = _text(_("Instruction"), rows=4)


class ReplyForm(forms.Form):
    reply = _text(_("Reply: what your unit did"), rows=4)


class SendBackForm(forms.Form):
    note = _text(_("What the reply lacks"), rows=2)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class AcknowledgeForm(forms.Form):
    acknowledgement = _text(_("How your unit carries it out"), rows=3)
