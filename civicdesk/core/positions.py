"""Where a reported problem is: both coordinates or neither, inside the district.

Half a position (a latitude without its longitude) cannot be put on a map, counted in a map
square or sent to a unit, and a point far outside the district is a typing slip or a test. Every
channel that takes a position (the report form, the JSON API, Open311, staff entry through the
API) checks it here, so they all refuse the same things with the same words.

The district's bounding box is CIVICDESK_DISTRICT_BOUNDS, "south,west,north,east" in degrees;
unset, any point on Earth is accepted.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

LATITUDE = "latitude"
LONGITUDE = "longitude"
# The columns keep 6 decimals (about 10 cm).
_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Bounds:
    south: Decimal
    west: Decimal
    north: Decimal
    east: Decimal

    def contains(self, latitude: Decimal, longitude: Decimal) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


def parse_bounds(raw: str, *, name: str = "CIVICDESK_DISTRICT_BOUNDS") -> Bounds | None:
    """ "30.1,120.0,30.4,120.3" → Bounds; empty → None. A box that is not one raises
    ImproperlyConfigured, at start-up rather than on the first report."""
    if not raw.strip():
        return None
    parts = [part.strip() for part in raw.split(",")]
    try:
        south, west, north, east = (Decimal(part) for part in parts)
        inside = -90 <= south < north <= 90 and -180 <= west < east <= 180
    except (ValueError, ArithmeticError):  # not four parts, not numbers, NaN
        raise ImproperlyConfigured(
            f"{name} is four numbers, south,west,north,east in degrees, not {raw!r}"
        ) from None
    if not inside:
        raise ImproperlyConfigured(
            f"{name} must have -90 <= south < north <= 90 and -180 <= west < east <= 180, "
            f"not {raw!r}"
        )
    return Bounds(south, west, north, east)


def district_bounds() -> Bounds | None:
    return parse_bounds(getattr(settings, "CIVICDESK_DISTRICT_BOUNDS", ""))


class PositionError(ValueError):
    """A position refused; ``coordinate`` is LATITUDE or LONGITUDE, the one to point at."""

    def __init__(self, coordinate: str, message: str) -> None:
        super().__init__(message)
        self.coordinate = coordinate
        self.message = message


def _coordinate(value: Decimal | float | str, coordinate: str, limit: int) -> Decimal:
    """``value`` rounded to the columns' 6 decimals, when it is a number within ±``limit``."""
    try:
        # str() first: a float's binary expansion (30.2741 → 30.27409999…) must not decide.
        number = Decimal(str(value))
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or not -limit <= number <= limit:
        message = (
            _("A latitude is a number from -90 to 90 degrees.")
            if coordinate == LATITUDE
            else _("A longitude is a number from -180 to 180 degrees.")
        )
        raise PositionError(coordinate, message)
    return number.quantize(_PLACES)


def checked_position(
    latitude: Decimal | float | str | None, longitude: Decimal | float | str | None
) -> tuple[Decimal | None, Decimal | None]:
    """The position to store: both coordinates rounded to the columns' 6 decimals, or both
    None. PositionError when only one is given, when one is not on Earth, or when the point
    lies outside the district's bounds."""
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        missing = LATITUDE if latitude is None else LONGITUDE
        raise PositionError(missing, _("Give both latitude and longitude, or neither."))
    lat = _coordinate(latitude, LATITUDE, 90)
    lng = _coordinate(longitude, LONGITUDE, 180)
    bounds = district_bounds()
    if bounds is not None and not bounds.contains(lat, lng):
        outside = LATITUDE if not bounds.south <= lat <= bounds.north else LONGITUDE
        raise PositionError(
            outside,
            _(
                "%(latitude)s, %(longitude)s lies outside the district (latitude %(south)s to "
                "%(north)s, longitude %(west)s to %(east)s); check the position."
            )
            % {
                "latitude": lat.normalize(),
                "longitude": lng.normalize(),
                "south": bounds.south,
                "north": bounds.north,
                "west": bounds.west,
                "east": bounds.east,
            },
        )
    return lat, lng
