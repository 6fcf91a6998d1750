"""The holiday-calendar banner on staff pages (the warning itself: core.deadlines)."""

from django import template

from civicdesk.accounts.models import Role
from civicdesk.core.deadlines import calendar_warning
from civicdesk.core.workdays import CalendarError

register = template.Library()


@register.inclusion_tag("civicdesk/_calendar_banner.html", takes_context=True)
def calendar_banner(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return {"warning": None}
    try:
        administrator = user.is_superuser or user.role == Role.ADMIN
        return {"warning": calendar_warning(for_administrator=administrator)}
    except CalendarError as error:
        # A broken calendar file must not take every staff page down; say so instead.
        return {"warning": str(error)}
