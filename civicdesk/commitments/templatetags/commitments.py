"""`{% case_notifications case.tracking_code %}` for the public status page."""

from django import template

from civicdesk.commitments.models import Notification

register = template.Library()


@register.inclusion_tag("commitments/_case_notifications.html")
def case_notifications(tracking_code: str, limit: int = 20) -> dict:
    notes = Notification.objects.filter(tracking_code=tracking_code).select_related("problem")
    return {"notifications": notes[:limit]}
