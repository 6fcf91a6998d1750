"""`{% load knowledge %}{% item_entries item %}`: a catalogue item's published knowledge
entries (what to bring, where to go, fees, legal basis), linked from its public page."""

from django import template

from civicdesk.knowledge.access import entries_visible_to

register = template.Library()


@register.inclusion_tag("knowledge/_item_entries.html")
def item_entries(item) -> dict:
    return {"entries": list(entries_visible_to(None).filter(service_item=item)[:10])}
