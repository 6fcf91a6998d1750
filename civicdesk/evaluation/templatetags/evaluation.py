"""`{% load evaluation %}{% followup_form case %}` for the public status page: the reporter's
satisfaction follow-up form while the follow-up of the case's answer waits for an answer."""

from django import template

from civicdesk.evaluation.forms import FollowUpForm
from civicdesk.evaluation.models import FollowUp

register = template.Library()


@register.inclusion_tag("evaluation/_followup_form.html", takes_context=True)
def followup_form(context, case) -> dict:
    followup = FollowUp.objects.current_for(case).pending().first() if case.answered_at else None
    return {"followup": followup, "form": FollowUpForm(), "csrf_token": context.get("csrf_token")}


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
