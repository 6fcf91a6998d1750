"""Who works where: a tree of units, staff with one role each, and API tokens."""

import contextlib
import hashlib
import logging
import secrets
from collections.abc import Iterator
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import OperationalError, connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("District")
    DEPARTMENT = "department", _("District department")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    WINDOW = "window", _("Service window")
    UTILITY = "utility", _("Utility company")
    ENTERPRISE_DESK = "enterprise_desk", _("Enterprise service desk")


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        """The unit itself and every unit below it."""
        return self.filter(path__startswith=unit.path)

    def active(self) -> "UnitQuerySet":
        return self.filter(is_active=True)


class Unit(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes ("/district/street-a/"), so a subtree is one indexed prefix query.
    path = models.CharField(max_length=800, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path is derived data kept in step with parent and code, not a business rule.
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class Role(models.TextChoices):
    CLERK = "clerk", _("Intake clerk")
    HANDLER = "handler", _("Unit handler")
    SUPERVISOR = "supervisor", _("Supervisor")
    LEADER = "leader", _("Leader")
    # 纪检: reads confidential reports against units and officials, and nothing else.
    DISCIPLINE = "discipline", _("Discipline inspector")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and bool(self.role)

    @property
    def sees_all_cases(self) -> bool:
        return self.role in {Role.CLERK, Role.SUPERVISOR, Role.LEADER, Role.ADMIN}

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


# What a write that may just as well happen on the next request waits for SQLite's write lock.
# The usual wait (settings.SQLITE_BUSY_TIMEOUT) is for writes that must happen: a keyed read
# waited up to 30 s behind an import's batches only to note the token's use.
BRIEF_WAIT_MS = 50


@contextlib.contextmanager
def _waiting_briefly_for_the_writer() -> Iterator[None]:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # elsewhere writers do not queue for one lock; in a transaction it is held
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        usual = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {BRIEF_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


class ApiTokenQuerySet(models.QuerySet):
    def find(self, raw_token: str) -> "ApiToken | None":
        digest = ApiToken.hash_token(raw_token)
        return (
            self.filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
            .select_related("user", "user__unit")
            .first()
        )


class ApiToken(models.Model):
    """A staff member's token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_token(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()

    # How stale "last used" may get. Recording every use made each keyed read a write, and on
    # SQLite every write waits for the one writer: during a long import, reads failed with
    # "database is locked" (issue 13). Once a minute is as precise as anyone reads it.
    USE_RECORDED_EVERY = timedelta(minutes=1)

    def record_use(self) -> bool:
        """Note that the token was used now, unless that was noted less than a minute ago;
        True when it wrote. A database too busy to take the note does not fail the request
        that used the token: the note is only a hint for whoever revokes tokens."""
        now = timezone.now()
        since = now - self.USE_RECORDED_EVERY
        if self.last_used_at is not None and self.last_used_at > since:
            return False  # no statement at all: on SQLite even an UPDATE of no row locks
        # Conditional, so that concurrent requests write once, and update() rather than
        # save(): no race with a concurrent revocation of the same row.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=since)
        try:
            with _waiting_briefly_for_the_writer():
                written = ApiToken.objects.filter(stale, pk=self.pk).update(last_used_at=now)
        except OperationalError:
            if connection.in_atomic_block:
                raise  # the caller's transaction is broken; it must know
            # The next use tries again: during an import every keyed request may land here.
            logger.debug("API token %s: last use not recorded, the database is busy", self.pk)
            return False
        self.last_used_at = now
        return bool(written)

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        """Create a token and return it with the raw value, which is shown once only."""
        raw = "cd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], digest=cls.hash_token(raw))
        return token, raw
