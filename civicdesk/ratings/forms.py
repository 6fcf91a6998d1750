"""Forms check the shape of input only; the services decide what it means."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import Unit, User
from civicdesk.ratings.models import Level, Reason

LEVEL_ERROR = _("Choose one of the five levels, from very satisfied to very dissatisfied.")


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": LEVEL_ERROR, "invalid_choice": LEVEL_ERROR},
    )
    reasons = forms.MultipleChoiceField(
        label=_("What went wrong? (optional)"),
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose reasons from the list.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FirstRatingForm(RatingForm):
    """The first rating may leave contact details, so the unit can answer a bad rating."""

    contact_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=80)
    contact_phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(label=_("E-mail (optional)"), required=False)


class InvitationForm(forms.Form):
    staff = forms.ModelChoiceField(
        label=_("Staff member (optional)"), queryset=User.objects.none(), required=False
    )
    service_name = forms.CharField(label=_("Service (optional)"), required=False, max_length=200)

    def __init__(self, *args, window: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = window_staff(window)


def window_staff(window: Unit):
    return (
        User.objects.filter(is_active=True, unit__path__startswith=window.path)
        .exclude(role="")
        .order_by("display_name", "username")
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this rating malicious or mistaken?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the rating is malicious or mistaken.")},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold: exclude from statistics")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the decision.")},
    )
