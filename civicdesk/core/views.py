"""Pages of the site as a whole: the icon browsers ask for, and the log-in that lands each
role on its own starting page."""

from functools import cache
from pathlib import Path

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from civicdesk.accounts.throttle import ThrottledAuthenticationForm
from civicdesk.core.landing import landing_url

FAVICON = Path(__file__).parent / "static" / "civicdesk" / "favicon.ico"


@cache
def _favicon() -> bytes:
    return FAVICON.read_bytes()


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico: browsers ask for it on every site, whatever the page's <link rel=icon>."""
    return HttpResponse(_favicon(), content_type="image/x-icon")


class LoginView(auth_views.LoginView):
    """Django's log-in (with the failed-attempt limits), landing on the role's own page when
    no ?next= asks for another."""

    authentication_form = ThrottledAuthenticationForm

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)
