"""`{% load maps %}{% map_settings %}`: the tile provider and start position of the maps, as
JSON for a map element's data-map attribute (read by civicdesk/map.js)."""

import json

from django import template
from django.conf import settings

from civicdesk.core.maps import tile_provider

register = template.Library()


@register.simple_tag
def map_settings() -> str:
    provider = tile_provider()
    return json.dumps(
        {
            "tiles": provider.as_dict() if provider else None,
            "center": settings.CIVICDESK_MAP_CENTER,
        },
        ensure_ascii=False,
    )


@register.simple_tag
def map_has_tiles() -> bool:
    return tile_provider() is not None
