from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from civicdesk.core.colors import HEX_COLOR
from civicdesk.core.landing import landing_url
from civicdesk.core.navigation import menus_for


def site(request: HttpRequest) -> dict:
    # Not "site_name": Django's log-in view sets that to the request's host ("127.0.0.1:8000").
    user = getattr(request, "user", None)
    brand = settings.CIVICDESK_BRAND_COLOR
    return {
        "site_brand": settings.CIVICDESK_SITE_NAME,
        # Only a colour goes into the page's <style>, whatever the setting holds.
        "brand_color": brand if HEX_COLOR.match(brand) else "",
        # Lazy: fragments (htmx) and pages without a header never build the menus.
        "menus": SimpleLazyObject(lambda: menus_for(request)),
        "staff_home": SimpleLazyObject(lambda: landing_url(user)) if user else "",
    }
