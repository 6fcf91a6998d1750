"""Give a staff member an API token. The raw token is printed once and never stored."""

from django.core.management.base import BaseCommand, CommandError

from civicdesk.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue an API token for a staff member and print it (it cannot be shown again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        if not user.is_staff_member:
            raise CommandError(f"{username!r} has no staff role, so a token would grant nothing.")
        token, raw = ApiToken.issue(user=user, name=name)
        self.stderr.write(f"Token {token.prefix}… for {username} ({user.role}); keep it secret:")
        self.stdout.write(raw)
