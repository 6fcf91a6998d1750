"""Load a year's official holiday arrangement (State Council notice) into the calendar."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicdesk.core.calendar_files import ArrangementError, read_arrangements, write_override
from civicdesk.core.deadlines import calendar_override_path, calendar_warning, work_calendar
from civicdesk.core.workdays import OFFICIAL, PROVISIONAL

# Far larger than any year's arrangement; refuses a wrong file before reading it all.
MAX_BYTES = 1_000_000


class Command(BaseCommand):
    help = (
        "Load public holidays and make-up working days from a holiday-cn JSON file, an "
        "iCalendar (.ics) file or a civicdesk calendar file into the data directory's "
        "calendar-override.json; its years replace the shipped calendar's."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The arrangement to load (.json or .ics).")
        parser.add_argument(
            "--provisional",
            action="store_true",
            help="Mark the years as provisional (not yet the State Council's notice).",
        )
        parser.add_argument("--source", default="", help="Where the dates come from.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(
                    _("%(file)s is larger than %(max)d bytes: not a holiday arrangement.")
                    % {"file": path, "max": MAX_BYTES}
                )
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(reason)s") % {"file": path, "reason": error.strerror}
            ) from None
        status = PROVISIONAL if options["provisional"] else OFFICIAL
        try:
            years = read_arrangements(
                content, path.name, status=status, source=options["source"].strip()
            )
            write_override(calendar_override_path(), years)
        except ArrangementError as error:
            raise CommandError(str(error)) from None
        for year in years:
            self.stdout.write(
                _(
                    "%(year)d (%(status)s): %(holidays)d days off, %(workdays)d make-up "
                    "working days; source: %(source)s"
                )
                % {
                    "year": year.year,
                    "status": _("official") if year.status == OFFICIAL else _("provisional"),
                    "holidays": len(year.holidays),
                    "workdays": len(year.workdays),
                    "source": year.source,
                }
            )
        confirmed = work_calendar().confirmed_until()
        self.stdout.write(
            self.style.SUCCESS(
                _("Saved in %(path)s. The calendar is confirmed until %(date)s.")
                % {
                    "path": calendar_override_path(),
                    "date": confirmed.isoformat() if confirmed else "—",
                }
            )
        )
        warning = calendar_warning()
        if warning:
            self.stdout.write(self.style.WARNING(warning))
