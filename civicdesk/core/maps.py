"""Where map tiles come from: the tile provider of every map (report form, case page,
dashboard), the hosts the Content-Security-Policy lets images come from, and the geodetic
datum the tiles are drawn in.

Positions are always stored in WGS-84 (what phones' GPS and the geolocation API give). Tiles
are drawn in one of two datums, and a pin is only in the right place when the map converts:

- WGS-84: OpenStreetMap, and 天地图 (CGCS2000, which differs from WGS-84 by centimetres, far
  below what a tile shows): no conversion.
- GCJ-02 (the "Mars" coordinates of Chinese web maps such as 高德 and 腾讯 tiles): the map
  shifts each stored position to GCJ-02 to draw it, and shifts a tapped position back to
  WGS-84 before it is stored (civicdesk/core/static/civicdesk/map.js; the shift is 100–700 m
  inside China and none outside it).

Settings (see the README): CIVICDESK_MAP_PROVIDER (osm, tianditu, xyz or none),
CIVICDESK_MAP_KEY (天地图's browser key), and for xyz CIVICDESK_MAP_TILE_URL,
CIVICDESK_MAP_SUBDOMAINS, CIVICDESK_MAP_ATTRIBUTION and CIVICDESK_MAP_DATUM.

No Django import at module level: settings.py checks the configuration with it at start-up.
"""

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

OSM = "osm"
TIANDITU = "tianditu"
XYZ = "xyz"
NONE = "none"
PROVIDERS = (OSM, TIANDITU, XYZ, NONE)

WGS84 = "wgs84"
GCJ02 = "gcj02"
DATUMS = (WGS84, GCJ02)

OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
# 天地图's Web Mercator WMTS layers: the map (vec) and its Chinese labels (cva), on t0–t7.
TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=%(layer)s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%(key)s"
)
TIANDITU_SUBDOMAINS = "01234567"
TIANDITU_ATTRIBUTION = "© 天地图 tianditu.gov.cn"


class MapConfigError(ValueError):
    """A map setting that cannot work; the message names the variable."""


@dataclass(frozen=True)
class TileLayer:
    url: str
    subdomains: str = ""
    attribution: str = ""
    max_zoom: int = 19

    def hosts(self) -> tuple[str, ...]:
        """The origins this layer loads from, each subdomain spelled out ("" for our own)."""
        parts = urlsplit(self.url)
        if not parts.netloc:
            return ()  # tiles served by civicdesk itself: 'self' covers them
        host = parts.netloc.rsplit("@", 1)[-1]
        names = [host.replace("{s}", sub) for sub in self.subdomains] if "{s}" in host else [host]
        return tuple(f"{parts.scheme}://{name}" for name in names)

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "subdomains": self.subdomains,
            "attribution": self.attribution,
            "maxZoom": self.max_zoom,
        }


@dataclass(frozen=True)
class TileProvider:
    name: str
    layers: tuple[TileLayer, ...]
    datum: str = WGS84

    def hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(host for layer in self.layers for host in layer.hosts()))

    def as_dict(self) -> dict:
        return {
            "provider": self.name,
            "datum": self.datum,
            "layers": [layer.as_dict() for layer in self.layers],
        }


def _check_xyz_url(url: str, subdomains: str) -> None:
    parts = urlsplit(url)
    if parts.netloc and parts.scheme not in {"http", "https"}:
        raise MapConfigError(f"CIVICDESK_MAP_TILE_URL must be an http(s) URL, not {url!r}")
    if not parts.netloc and not url.startswith("/"):
        raise MapConfigError(
            f"CIVICDESK_MAP_TILE_URL must be an http(s) URL or a path on this site, not {url!r}"
        )
    if "{z}" not in url or "{x}" not in url or ("{y}" not in url and "{-y}" not in url):
        raise MapConfigError(
            f"CIVICDESK_MAP_TILE_URL must contain {{z}}, {{x}} and {{y}} (or {{-y}}): {url!r}"
        )
    if "{s}" in url and not subdomains:
        raise MapConfigError(
            "CIVICDESK_MAP_TILE_URL has {s}: name its subdomains in CIVICDESK_MAP_SUBDOMAINS "
            "(e.g. abc or 1234)"
        )
    if subdomains and "{s}" not in url:
        raise MapConfigError(
            "CIVICDESK_MAP_SUBDOMAINS is set but CIVICDESK_MAP_TILE_URL has no {s} to put them in"
        )
    if subdomains and not subdomains.isalnum():
        raise MapConfigError(
            f"CIVICDESK_MAP_SUBDOMAINS must be letters or digits, one per subdomain: {subdomains!r}"
        )


@functools.cache
def build_provider(
    provider: str,
    *,
    tile_url: str = "",
    subdomains: str = "",
    attribution: str = "",
    datum: str = WGS84,
    key: str = "",
) -> TileProvider | None:
    """The tile provider these settings describe, None for no map tiles; MapConfigError
    names the setting that is wrong."""
    if provider not in PROVIDERS:
        raise MapConfigError(
            f"CIVICDESK_MAP_PROVIDER must be one of {', '.join(PROVIDERS)}, not {provider!r}"
        )
    if datum not in DATUMS:
        raise MapConfigError(f"CIVICDESK_MAP_DATUM must be wgs84 or gcj02, not {datum!r}")
    if provider == NONE or (provider == XYZ and not tile_url):
        return None
    if provider == OSM:
        return TileProvider(OSM, (TileLayer(OSM_TILE_URL, "", OSM_ATTRIBUTION, 19),))
    if provider == TIANDITU:
        if not key or not key.isalnum():
            raise MapConfigError(
                "CIVICDESK_MAP_PROVIDER=tianditu needs CIVICDESK_MAP_KEY, the browser key "
                "(tk) of a 天地图 developer account"
            )
        layers = tuple(
            TileLayer(
                TIANDITU_URL % {"layer": layer, "key": key},
                TIANDITU_SUBDOMAINS,
                TIANDITU_ATTRIBUTION if layer == "vec" else "",
                18,
            )
            for layer in ("vec", "cva")
        )
        return TileProvider(TIANDITU, layers)
    _check_xyz_url(tile_url, subdomains)
    return TileProvider(XYZ, (TileLayer(tile_url, subdomains, attribution, 19),), datum)


def provider_from_settings(settings) -> TileProvider | None:
    """The provider of a settings object (django.conf.settings, or the settings module)."""
    return build_provider(
        settings.CIVICDESK_MAP_PROVIDER,
        tile_url=settings.CIVICDESK_MAP_TILE_URL,
        subdomains=settings.CIVICDESK_MAP_SUBDOMAINS,
        attribution=settings.CIVICDESK_MAP_ATTRIBUTION,
        datum=settings.CIVICDESK_MAP_DATUM,
        key=settings.CIVICDESK_MAP_KEY,
    )


def tile_provider() -> TileProvider | None:
    from django.conf import settings

    return provider_from_settings(settings)
