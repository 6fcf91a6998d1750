"""Forms of the public pages: the 隨手拍 report, tracking look-up and disputes."""

import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import Category
from civicdesk.core.photos import ProcessedPhoto
from civicdesk.core.positions import PositionError, checked_position
from civicdesk.core.tracking import normalize_tracking_code
from civicdesk.intake.validation import clean_credit_code, process_uploaded_photos


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/webp")

    def clean(self, data, initial=None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [f for f in files if f]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        from civicdesk.core.templatetags.civic import local_name

        return local_name(obj)


phone_validator = RegexValidator(
    r"^\+?[\d\s\-()]{5,20}$", _("Enter a phone number of digits, spaces or dashes.")
)


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what is wrong, where, and since when."),
    )
    photos = PhotosField(
        label=_("Photos"),
        help_text=_("Up to 6 pictures (JPEG, PNG or WebP). Location data in them is removed."),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True, parent__isnull=False).select_related(
            "parent"
        ),
        required=False,
        empty_label=_("I don't know"),
    )
    address = forms.CharField(
        label=_("Where?"),
        max_length=300,
        required=False,
        help_text=_("An address or a landmark. You can also put a pin on the map."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        max_digits=9,
        decimal_places=6,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        max_digits=9,
        decimal_places=6,
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=80, required=False)
    contact_phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[phone_validator]
    )
    contact_email = forms.EmailField(label=_("Email"), required=False)
    for_enterprise = forms.BooleanField(label=_("I am reporting for an enterprise"), required=False)
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=200, required=False)
    enterprise_credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("18 characters, on the business licence."),
    )
    consent_publish = forms.BooleanField(
        label=_("The answer may be published (without my personal details)"), required=False
    )
    # One token per form page: submitting the same page twice files one report, not two.
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_photos(self) -> list[ProcessedPhoto]:
        return process_uploaded_photos(self.cleaned_data.get("photos") or [])

    def clean(self) -> dict:
        data = super().clean()
        if not self.has_error("latitude") and not self.has_error("longitude"):
            try:
                data["latitude"], data["longitude"] = checked_position(
                    data.get("latitude"), data.get("longitude")
                )
            except PositionError as error:
                self.add_error(error.coordinate, error.message)
        if data.get("for_enterprise"):
            if not (data.get("enterprise_name") or "").strip():
                self.add_error("enterprise_name", _("Enter the enterprise's name."))
            raw_code = (data.get("enterprise_credit_code") or "").strip()
            if not raw_code:
                self.add_error(
                    "enterprise_credit_code",
                    _("Enter the enterprise's unified social credit code."),
                )
            else:
                try:
                    data["enterprise_credit_code"] = clean_credit_code(raw_code)
                except forms.ValidationError as error:
                    self.add_error("enterprise_credit_code", error)
        return data

    @property
    def max_photos(self) -> int:
        return settings.CIVICDESK_MAX_PHOTOS


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=30,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "placeholder": "ABCD-EFGH-JK",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalize_tracking_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("This is not a valid tracking code. Check it against your receipt."),
                code="invalid",
            )
        return code


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the answer not solve the problem?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnsweredSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
