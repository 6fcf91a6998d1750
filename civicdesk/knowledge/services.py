"""Every change of the knowledge base goes through here: checked, atomic, searchable."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, Category
from civicdesk.catalogue.models import ServiceItem
from civicdesk.knowledge.models import Entry, EntryUse


class KnowledgeError(Exception):
    """A change the rules refuse; the message is translated and names the field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class EntryFields:
    title: str
    summary: str
    category: Category | None = None
    service_item: ServiceItem | None = None
    materials: str = ""
    place: str = ""
    fees: str = ""
    legal_basis: str = ""
    is_published: bool = True


def _check(fields: EntryFields) -> None:
    if not fields.title.strip():
        raise KnowledgeError(_("The title cannot be empty."), "title")
    if not fields.summary.strip():
        raise KnowledgeError(_("Write the answer staff give."), "summary")
    if fields.category is None and fields.service_item is None:
        raise KnowledgeError(
            _("Link the entry to a service catalogue item or a category."), "category"
        )


@transaction.atomic
def entry_save(*, fields: EntryFields, actor: User, entry: Entry | None = None) -> Entry:
    """Create an entry, or change one (the whole entry, as the edit form sends it)."""
    _check(fields)
    entry = entry or Entry()
    for name, value in vars(fields).items():
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    entry.updated_at = timezone.now()
    entry.updated_by = actor
    entry.refresh_search_text()
    entry.save()
    return entry


@transaction.atomic
def entry_use(*, entry: Entry, case: Case, actor: User) -> EntryUse:
    """Note that staff inserted the entry into the answer of the case (before answering it)."""
    if not entry.is_published:
        raise KnowledgeError(_("This entry is withdrawn; it cannot be used in answers."))
    if not case.is_open:
        raise KnowledgeError(_("Only an open case can still be answered."))
    return EntryUse.objects.create(entry=entry, case=case, used_by=actor)


def notice_text(entry: Entry) -> str:
    """The entry as one text for an answer: the answer, then each part that is filled in."""
    parts = [entry.summary.strip()]
    materials = entry.material_list
    if materials:
        listed = pgettext("list separator", "; ").join(materials)
        parts.append(_("What to bring: %(materials)s") % {"materials": listed})
    for label, value in (
        (_("Where to go: %(text)s"), entry.place),
        (_("Fees: %(text)s"), entry.fees),
        (_("Legal basis: %(text)s"), entry.legal_basis),
    ):
        if value.strip():
            parts.append(label % {"text": value.strip()})
    return "\n".join(parts)
