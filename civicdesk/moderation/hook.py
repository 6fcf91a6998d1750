"""The moderation hook of Case.public_text: what the public reads of a text a moderator hid
or edited. Kept apart from the models so that cases can call it without importing the app's
services, and small: it runs for every public text."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from civicdesk.moderation.models import ModerationAction, TextModeration

# Where with_public_texts puts the case's moderations (one query for a whole list).
PREFETCHED = "public_moderations"
_CACHE = "_moderated_texts"


def moderations_prefetch() -> Prefetch:
    return Prefetch(
        "text_moderations", queryset=TextModeration.objects.order_by("id"), to_attr=PREFETCHED
    )


def hidden_notice() -> str:
    return _("[This text was hidden by the moderators.]")


def _in_force(rows) -> dict[str, TextModeration]:
    """Original text → the latest moderation of it, leaving out texts restored since."""
    latest: dict[str, TextModeration] = {}
    for row in rows:
        latest[row.original] = row
    return {text: row for text, row in latest.items() if row.action != ModerationAction.RESTORE}


def in_force(case) -> dict[str, TextModeration]:
    cached = case.__dict__.get(_CACHE)
    if cached is None:
        rows = getattr(case, PREFETCHED, None)
        if rows is None:
            rows = TextModeration.objects.filter(case_id=case.pk).order_by("id") if case.pk else []
        cached = case.__dict__[_CACHE] = _in_force(rows)
    return cached


def forget_moderations(case) -> None:
    """Read the moderations again on next use (after one was added)."""
    case.__dict__.pop(_CACHE, None)
    case.__dict__.pop(PREFETCHED, None)


def moderated(case, text: str) -> str:
    """``text`` as the public may read it after moderation (before redaction)."""
    if not text:
        return text
    row = in_force(case).get(text)
    if row is None:
        return text
    if row.action == ModerationAction.HIDE:
        return hidden_notice()
    return row.replacement
