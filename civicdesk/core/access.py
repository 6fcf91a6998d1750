"""The gate in front of staff views: log in first, then the role must fit, else a 404."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from civicdesk.accounts.models import User


def staff_view(allowed: Callable[[User], bool]) -> Callable:
    """Decorate a view: anonymous visitors go to the login page; logged-in users for whom
    `allowed(user)` is false get a 404, so nothing tells them the page exists."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        # The navigation shows a link only to those this rule lets in (core.navigation).
        wrapper.access_rule = allowed
        return wrapper

    return decorate


def _is_staff_member(user: User) -> bool:
    return user.is_staff_member


# Any logged-in staff member with a role; finer checks belong to each object's access helper.
staff_required = staff_view(_is_staff_member)
