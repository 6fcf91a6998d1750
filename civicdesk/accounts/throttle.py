"""Login throttling: failed log-ins are limited per user name and per client address.

Per user name stops guessing one account's password from many addresses; per address stops
one client from trying many accounts. Only failures count, and once a limit is reached no
password is even checked until the window ends, so a correct guess then teaches nothing.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from civicdesk.core.ratelimit import limit_reached, over_limit

USER_SCOPE = "login-user"
ADDRESS_SCOPE = "login-address"
THROTTLED = _(
    "Too many failed log-ins for this account or from this network. "
    "Please wait a while (up to %(minutes)s minutes) and try again."
)


def user_rate() -> str:
    return getattr(settings, "CIVICDESK_LOGIN_FAILURES_PER_USER", "5/15m")


def address_rate() -> str:
    return getattr(settings, "CIVICDESK_LOGIN_FAILURES_PER_ADDRESS", "20/h")


def _longest_window_minutes() -> int:
    from civicdesk.core.ratelimit import parse_rate

    return max(parse_rate(user_rate())[1], parse_rate(address_rate())[1]) // 60 or 1


class ThrottledLoginMixin:
    """For Django's authentication forms: refuse when throttled, count each failure."""

    request = None

    def _user_key(self) -> str:
        return (self.data.get("username") or "").strip().casefold()

    def clean(self):
        request, user_key = self.request, self._user_key()
        if request is not None and (
            limit_reached(request, ADDRESS_SCOPE, address_rate())
            or limit_reached(request, USER_SCOPE, user_rate(), key=user_key)
        ):
            raise forms.ValidationError(
                THROTTLED, code="throttled", params={"minutes": _longest_window_minutes()}
            )
        try:
            return super().clean()
        except forms.ValidationError as error:
            if request is not None:
                over_limit(request, ADDRESS_SCOPE, address_rate())
                over_limit(request, USER_SCOPE, user_rate(), key=user_key)
            raise error

    @property
    def throttled(self) -> bool:
        return any(error.code == "throttled" for error in self.errors.as_data().get("__all__", []))


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
