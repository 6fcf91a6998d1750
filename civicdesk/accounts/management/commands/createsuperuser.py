"""`civicdesk createsuperuser`: Django's command, and the account also gets a civicdesk role.

Staff pages answer 404 to an account without a role, so a superuser from Django's command
alone could open /admin/ and nothing else until someone set its role by hand.
"""

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError

from civicdesk.accounts.models import Role, Unit, User


class Command(createsuperuser.Command):
    help = (
        "Create a superuser who is also a civicdesk staff member: an administrator of the "
        "district's top unit unless --role and --unit say otherwise."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--role",
            choices=Role.values,
            default=Role.ADMIN,
            help="The civicdesk role of the new account (default: admin).",
        )
        parser.add_argument(
            "--unit",
            metavar="CODE",
            help=(
                "Code of the account's unit (default: the top unit, when there is exactly "
                "one; otherwise none, to be set in /admin/ once the units exist)."
            ),
        )

    def handle(self, *args, **options) -> None:
        database = options["database"]
        # Checked before anything is asked or created, so a wrong code leaves no half-made user.
        unit = self._unit(options["unit"], database)
        superusers = User.objects.db_manager(database).filter(is_superuser=True)
        existing = set(superusers.values_list("pk", flat=True))
        super().handle(*args, **options)
        # Django's command may also end without creating anyone (no TTY, cancelled).
        created = superusers.exclude(pk__in=existing)
        if not created.update(role=options["role"], unit=unit):
            return
        if options["verbosity"] >= 1:
            role = Role(options["role"]).label
            if unit is None:
                self.stdout.write(
                    f"Role: {role}, no unit yet: once the district's units exist, set this "
                    "account's unit in /admin/ (an administrator sees every unit meanwhile)."
                )
            else:
                self.stdout.write(f"Role: {role}, unit: {unit.name} ({unit.code}).")

    @staticmethod
    def _unit(code: str | None, database: str) -> Unit | None:
        units = Unit.objects.db_manager(database)
        if code:
            unit = units.filter(code=code).first()
            if unit is None:
                raise CommandError(f"There is no unit with the code {code!r}.")
            return unit
        tops = list(units.filter(parent__isnull=True, is_active=True)[:2])
        return tops[0] if len(tops) == 1 else None
