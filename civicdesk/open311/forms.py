"""Checks of what Open311 clients send; every message names the parameter it is about."""

import re
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.cases.models import Category
from civicdesk.core.positions import LATITUDE, PositionError, checked_position
from civicdesk.open311.access import offered_services
from civicdesk.open311.representation import DESCRIPTION_MAX_LENGTH

# The spec's limits for a search: at most 90 days, at most 1000 requests.
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
# More ids than this in one look-up is a scan, not a follow-up of one's own requests.
MAX_IDS = 100
_NAME_MAX_LENGTH = 80  # Submission.contact_name
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def split_list(value: str) -> list[str]:
    """A comma-delimited parameter as its distinct, non-empty values, in order."""
    values: list[str] = []
    for item in value.split(","):
        item = item.strip()
        if item and item not in values:
            values.append(item)
    return values


def error_descriptions(form: forms.Form) -> list[str]:
    """ "parameter: message" for each error, so a client can show it as it is."""
    descriptions = []
    for field, messages in form.errors.items():
        for message in messages:
            descriptions.append(message if field == "__all__" else f"{field}: {message}")
    return descriptions


class ServiceRequestForm(forms.Form):
    """POST Service Request: the spec's arguments, form-encoded."""

    service_code = forms.CharField(max_length=60)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=300)
    address_id = forms.CharField(required=False, max_length=100)
    email = forms.EmailField(required=False, max_length=254)
    device_id = forms.CharField(required=False, max_length=200)
    account_id = forms.CharField(required=False, max_length=200)
    first_name = forms.CharField(required=False, max_length=_NAME_MAX_LENGTH)
    last_name = forms.CharField(required=False, max_length=_NAME_MAX_LENGTH)
    phone = forms.CharField(required=False, max_length=40)
    description = forms.CharField(required=False, max_length=DESCRIPTION_MAX_LENGTH)
    media_url = forms.URLField(required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_code"].error_messages["required"] = gettext_lazy(
            "service_code is required; GET services lists the codes."
        )

    def clean_service_code(self) -> Category:
        code = self.cleaned_data["service_code"]
        for category, _aspect in offered_services():
            if category.code == code:
                return category
        raise forms.ValidationError(
            _("service_code “%(code)s” was not found.") % {"code": code}, code="not_found"
        )

    def clean(self) -> dict:
        data = super().clean()
        attributes = sorted(key for key in self.data if key.startswith("attribute["))
        if attributes:
            self.add_error(
                None,
                _("No service here has attributes; leave out %(names)s.")
                % {"names": ", ".join(attributes)},
            )
        coordinate_errors = self.has_error("lat") or self.has_error("long")
        if not coordinate_errors:
            try:
                data["lat"], data["long"] = checked_position(data.get("lat"), data.get("long"))
            except PositionError as error:
                self.add_error("lat" if error.coordinate == LATITUDE else "long", error.message)
                coordinate_errors = True
        located = data.get("lat") is not None or any(
            data.get(name) for name in ("address_string", "address_id")
        )
        if not located and not coordinate_errors:
            self.add_error(
                None,
                _("A location is required: send lat and long, address_string or address_id."),
            )
        if len(self.contact_name()) > _NAME_MAX_LENGTH:
            self.add_error(
                "last_name",
                _("first_name and last_name together may have at most %(max)d characters.")
                % {"max": _NAME_MAX_LENGTH},
            )
        return data

    def contact_name(self) -> str:
        first = (self.cleaned_data.get("first_name") or "").strip()
        last = (self.cleaned_data.get("last_name") or "").strip()
        if _CJK.search(first + last):
            return last + first  # Chinese names put the family name first, without a space.
        return " ".join(part for part in (first, last) if part)


def parse_w3c(value: str, *, end_of_day: bool = False) -> datetime:
    """A W3C date-time with its time zone, or a bare date (local time zone)."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = date.fromisoformat(value)
        moment = datetime.combine(day, time.max if end_of_day else time.min)
        return timezone.make_aware(moment)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})?", value):
        raise ValueError(value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise forms.ValidationError(
            _("“%(value)s” has no time zone; add Z or an offset such as +08:00.")
            % {"value": value},
            code="naive",
        )
    return parsed


class RequestSearchForm(forms.Form):
    """GET Service Requests: look-up by ids, or a search by service, dates and status."""

    service_request_id = forms.CharField(required=False, max_length=5000)
    service_code = forms.CharField(required=False, max_length=5000)
    start_date = forms.CharField(required=False, max_length=40)
    end_date = forms.CharField(required=False, max_length=40)
    status = forms.CharField(required=False, max_length=40)

    def clean_service_request_id(self) -> list[str]:
        ids = split_list(self.cleaned_data["service_request_id"])
        if len(ids) > MAX_IDS:
            raise forms.ValidationError(
                _("Ask for at most %(max)d ids at once; this asks for %(count)d.")
                % {"max": MAX_IDS, "count": len(ids)}
            )
        return ids

    def clean_service_code(self) -> list[str]:
        codes = split_list(self.cleaned_data["service_code"])
        offered = {category.code for category, _aspect in offered_services()}
        unknown = [code for code in codes if code not in offered]
        if unknown:
            raise forms.ValidationError(
                _("Unknown service_code: %(codes)s. GET services lists the codes.")
                % {"codes": ", ".join(unknown)}
            )
        return codes

    def _date(self, name: str, *, end_of_day: bool) -> datetime | None:
        value = self.cleaned_data[name]
        if not value:
            return None
        try:
            return parse_w3c(value, end_of_day=end_of_day)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a W3C date-time such as 2010-01-01T00:00:00Z.")
                % {"value": value}
            ) from None

    def clean_start_date(self) -> datetime | None:
        return self._date("start_date", end_of_day=False)

    def clean_end_date(self) -> datetime | None:
        return self._date("end_date", end_of_day=True)

    def clean_status(self) -> list[str]:
        statuses = split_list(self.cleaned_data["status"].lower())
        wrong = [status for status in statuses if status not in {"open", "closed"}]
        if wrong:
            raise forms.ValidationError(
                _("“%(values)s” is not a status: use open, closed or both.")
                % {"values": ", ".join(wrong)}
            )
        return statuses

    def clean(self) -> dict:
        data = super().clean()
        if self.has_error("start_date") or self.has_error("end_date"):
            return data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", _("end_date is before start_date."))
            elif end - start > MAX_SPAN:
                self.add_error(
                    "end_date",
                    _("start_date and end_date may not span more than %(days)d days.")
                    % {"days": MAX_SPAN.days},
                )
        elif start:
            end = start + MAX_SPAN
        elif end:
            start = end - MAX_SPAN
        else:
            end = timezone.now()
            start = end - MAX_SPAN
        data["start_date"], data["end_date"] = start, end
        return data
