"""System checks of civicdesk's own data, run by `civicdesk check` (and before `migrate`,
`runserver`, …): a holiday calendar about to run out makes deadlines wrong without an error."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.translation import gettext as _

from civicdesk.core.colors import brand_color_problem
from civicdesk.core.deadlines import calendar_warning
from civicdesk.core.workdays import CalendarError

CALENDAR_RUNS_OUT = "civicdesk.W001"
CALENDAR_UNREADABLE = "civicdesk.W002"
BRAND_COLOR_UNREADABLE = "civicdesk.E001"


@register()
def holiday_calendar_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    try:
        warning = calendar_warning()
    except CalendarError as error:
        return [Warning(str(error), id=CALENDAR_UNREADABLE)]
    if warning is None:
        return []
    hint = _(
        "Download the year's arrangement (for instance holiday-cn's JSON or iCalendar file) "
        "once the State Council has published it, then run “civicdesk load_holidays FILE”."
    )
    return [Warning(warning, hint=hint, id=CALENDAR_RUNS_OUT)]


@register()
def brand_color_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    """The district's colour is the buttons' background and the brand's text: unreadable
    text on every page is an error, found before the server starts."""
    problem = brand_color_problem(settings.CIVICDESK_BRAND_COLOR)
    return [Error(problem, id=BRAND_COLOR_UNREADABLE)] if problem else []
