"""Supervision on other apps' pages: the panel on top of a case, problem or measure (its
leaders' instructions and letters), and what waits for a unit on its inbox."""

from django import template
from django.db.models import Model

from civicdesk.accounts.models import Role
from civicdesk.supervision import access

register = template.Library()


@register.inclusion_tag("supervision/_panel.html", takes_context=True)
def supervision_panel(context, subject: Model) -> dict:
    user = context["request"].user
    letters = access.letters_visible_to(user).about(subject).select_related("unit")
    instructions = (
        access.instructions_visible_to(user).about(subject).select_related("unit", "leader")
    )
    return {
        "subject": subject,
        "kind": subject._meta.model_name,
        "letters": list(letters),
        "instructions": list(instructions),
        "may_issue": access.can_issue(user),
        "may_instruct": access.can_instruct(user),
    }


@register.inclusion_tag("supervision/_unit_queue.html", takes_context=True)
def supervision_queue(context) -> dict:
    """A handler's unit: instructions to acknowledge and letters to reply to."""
    user = context["request"].user
    if user.role != Role.HANDLER:
        return {}
    related = ("case", "problem", "measure")
    return {
        "instructions": list(
            access.instructions_visible_to(user)
            .unacknowledged()
            .select_related("leader", *related)[:10]
        ),
        "letters": list(
            access.letters_visible_to(user)
            .awaiting_reply()
            .select_related(*related)
            .order_by("deadline")[:10]
        ),
    }
