"""The knowledge base for answering at first contact (一次性告知): what to bring, where to go,
the fees and the legal basis of a matter (a service catalogue item) or a category of opinions.

Staff insert an entry into an answer from the case page; each insertion is an `EntryUse`, so
that a case answered at first contact from an entry can be counted (evaluation.rates,
FIRST_CONTACT). The public searches the published entries.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, Category
from civicdesk.catalogue.models import ServiceItem
from civicdesk.core.history import AppendOnly
from civicdesk.core.textnorm import normalize_for_search


class EntryQuerySet(models.QuerySet):
    def published(self) -> "EntryQuerySet":
        return self.filter(is_published=True)

    def for_category(self, category: Category | None) -> "EntryQuerySet":
        """Entries of the category or of its aspect (the category above it)."""
        if category is None:
            return self.none()
        ids = [category.pk] + ([category.parent_id] if category.parent_id else [])
        return self.filter(category_id__in=ids)

    def search(self, query: str) -> "EntryQuerySet":
        """Every word must appear; Traditional and Simplified match each other."""
        qs = self
        for term in normalize_for_search(query).split():
            qs = qs.filter(search_text__contains=term)
        return qs


class Entry(models.Model):
    """One matter's or category's notice, told once and completely."""

    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_entries",
        verbose_name=_("category"),
    )
    service_item = models.ForeignKey(
        ServiceItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_entries",
        verbose_name=_("service catalogue item"),
    )
    summary = models.TextField(_("answer"), help_text=_("What staff tell the person, in full."))
    materials = models.TextField(_("what to bring"), blank=True, help_text=_("One per line."))
    place = models.TextField(_("where to go"), blank=True)
    fees = models.TextField(_("fees"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Normalised title and texts (Simplified, half-width, case-folded) for search.
    search_text = models.TextField(editable=False, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=False) | Q(service_item__isnull=False),
                name="knowledge_entry_has_matter_or_category",
                violation_error_message=_(
                    "Link the entry to a service catalogue item or a category."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def material_list(self) -> list[str]:
        """The entry's own list, else the catalogue item's (one source of truth per matter)."""
        text = self.materials or (self.service_item.materials if self.service_item else "")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def refresh_search_text(self) -> None:
        self.search_text = normalize_for_search(
            " ".join(
                [
                    self.title,
                    self.summary,
                    self.materials,
                    self.place,
                    self.fees,
                    self.legal_basis,
                    self.service_item.name if self.service_item else "",
                    self.category.name if self.category else "",
                ]
            )
        )


class EntryUse(AppendOnly):
    """An entry inserted into the answer of a case by a staff member."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="uses")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="knowledge_uses")
    used_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["used_at", "id"]
        verbose_name = _("knowledge entry use")
        verbose_name_plural = _("knowledge entry uses")

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.case_id}"
