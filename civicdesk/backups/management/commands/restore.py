"""`civicdesk restore`: put a `civicdesk backup` archive back, all or nothing."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from civicdesk.backups.archive import BackupError, apply, pending_migrations, stage


class Command(BaseCommand):
    help = (
        "Replace the database, media folder, import files and trained models with those of a "
        "backup archive. Stop the web server and workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="A file written by `civicdesk backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        try:
            staged = stage(path)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        manifest = staged.manifest
        database = connections["default"].settings_dict["NAME"]
        targets = [str(target) for target, _staging in staged.staged_folders.values()]
        self.stdout.write(
            _(
                "Backup of %(created)s (civicdesk %(version)s): %(vendor)s database and "
                "%(files)d files, checksums verified."
            )
            % {
                "created": manifest["created_at"],
                "version": manifest["civicdesk_version"],
                "vendor": manifest["database_vendor"],
                "files": len(manifest["files"]) - 1,
            }
        )
        self.stdout.write(
            _("This replaces everything in the database %(database)s and in: %(folders)s")
            % {"database": database, "folders": ", ".join(targets) or "-"}
        )
        try:
            if not options["yes"] and not self._confirmed():
                raise CommandError(_("Restore cancelled; nothing was changed."), returncode=2)
        except BaseException:
            staged.discard()
            raise
        try:
            apply(staged)
        except BackupError as error:
            raise CommandError(
                _("Restore failed, the old data was kept: %s") % error, returncode=1
            ) from None
        self.stdout.write(self.style.SUCCESS(_("Restored %s.") % path))
        if pending_migrations():
            self.stdout.write(
                _("The backup comes from an older civicdesk: run `civicdesk migrate` now.")
            )

    def _confirmed(self) -> bool:
        if not sys.stdin.isatty():
            raise CommandError(
                _("Not asking for confirmation without a terminal; add --yes to restore."),
                returncode=2,
            )
        answer = input(_("Type 'yes' to restore: "))
        return answer.strip().lower() == "yes"
