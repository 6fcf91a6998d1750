"""The district's units, staff, reply templates and category default units."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from civicdesk.accounts.models import Unit, User
from civicdesk.cases.models import Category, ReplyTemplate
from civicdesk.demo import vocabulary as v

DEMO_PASSWORD = v.DEMO_PASSWORD


def _ensure_units() -> tuple[dict[str, Unit], int]:
    units: dict[str, Unit] = {}
    created = 0
    for code, name, kind, parent in v.UNITS:
        unit, was_created = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent or "")}
        )
        units[code] = unit
        created += was_created
    return units, created


def _ensure_users(units: dict[str, Unit]) -> tuple[dict[str, User], int]:
    existing = {
        user.username: user
        for user in User.objects.filter(username__in=[row[0] for row in v.STAFF])
    }
    # Hashing is deliberately slow (hundreds of ms); one hash shared by all demo accounts keeps
    # the load fast. Every demo account has the same published password anyway.
    password = make_password(DEMO_PASSWORD) if len(existing) < len(v.STAFF) else ""
    created = 0
    for username, name, role, unit in v.STAFF:
        if username in existing:
            continue
        is_admin = role == "admin"
        existing[username] = User.objects.create(
            username=username,
            password=password,
            display_name=name,
            role=role,
            unit=units[unit],
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        created += 1
    return existing, created


def _ensure_categories(units: dict[str, Unit]) -> None:
    for category in Category.objects.filter(code__in=v.CATEGORY_UNITS, default_unit=None):
        category.default_unit = units[v.CATEGORY_UNITS[category.code]]
        category.save(update_fields=["default_unit"])


def _ensure_templates(units: dict[str, Unit]) -> int:
    created = 0
    for unit, title, body in v.REPLY_TEMPLATES:
        _, was_created = ReplyTemplate.objects.get_or_create(
            unit=units[unit] if unit else None, title=title, defaults={"body": body}
        )
        created += was_created
    return created
