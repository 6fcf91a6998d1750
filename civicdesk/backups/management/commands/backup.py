"""`civicdesk backup`: the database, media, import files and trained models in one archive."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicdesk.backups.archive import BackupError, create_backup, default_output


class Command(BaseCommand):
    help = (
        "Write a backup archive (tar.gz) of the database, the media folder, import files and "
        "trained models; safe while civicdesk runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="Archive file to write, or an existing folder to write a time-stamped "
            "archive into (default: civicdesk-backup-YYYYMMDD-HHMMSS.tar.gz here).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"] or ".")
        if output.is_dir():
            output = default_output(output)
        try:
            manifest = create_backup(output.resolve())
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        files = len(manifest["files"]) - 1
        self.stdout.write(
            _("Backed up the %(vendor)s database and %(files)d files to %(path)s")
            % {"vendor": manifest["database_vendor"], "files": files, "path": output}
        )
        if manifest["media_storage"] != "local":
            self.stderr.write(
                _(
                    "Media is kept in an object store (%s) and is not in this archive; back the "
                    "bucket up with its own versioning or replication."
                )
                % manifest["media_storage"]
            )
