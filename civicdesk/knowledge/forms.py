from django import forms
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import Category
from civicdesk.catalogue.models import ServiceItem
from civicdesk.knowledge.models import Entry
from civicdesk.knowledge.services import EntryFields


class EntryForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = [
            "title",
            "service_item",
            "category",
            "summary",
            "materials",
            "place",
            "fees",
            "legal_basis",
            "is_published",
        ]
        help_texts = {
            "service_item": _("The matter of the service catalogue this entry tells about."),
            "category": _("Cases of this category (or of the categories below it) show it."),
            "materials": _("One per line; empty: the catalogue item's list."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["service_item"].queryset = ServiceItem.objects.active()
        for name in ("summary", "materials", "place", "fees", "legal_basis"):
            self.fields[name].widget.attrs["rows"] = 4 if name == "summary" else 2

    def entry_fields(self) -> EntryFields:
        data = self.cleaned_data
        return EntryFields(**{name: data[name] for name in self.Meta.fields})


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
