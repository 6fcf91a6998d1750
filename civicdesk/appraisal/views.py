"""Appraisal pages: the month's scores of the units, a unit's score line by line with the
arithmetic, the rows behind each line, and the scheme's versions."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civicdesk.appraisal import access, lines, schemes, scores
from civicdesk.appraisal.forms import LineFormSet, MonthForm, SchemeForm
from civicdesk.appraisal.models import Scheme
from civicdesk.core.access import staff_view
from civicdesk.training import figures as training

EXTRA_LINES = 3


def _month(request: HttpRequest) -> tuple[MonthForm, object]:
    data = request.GET if "month" in request.GET else {"month": MonthForm.this_month()}
    form = MonthForm(data)
    return form, form.cleaned_data["month"] if form.is_valid() else None


def _training(unit, month):
    return training.unit_figures(unit, *scores.month_bounds(month))


@staff_view(access.can_read_scores)
def index(request: HttpRequest) -> HttpResponse:
    if not access.can_read_all(request.user):
        # A handler has one unit to look at: theirs.
        return redirect("appraisal:unit", code=request.user.unit.code)
    form, month = _month(request)
    context = {"form": form, "may_edit": access.can_edit_schemes(request.user)}
    if month is None:
        return render(request, "appraisal/index.html", context, status=400)
    rows = [(score, _training(score.unit, month)) for score in scores.month_scores(month)]
    context.update(
        month=month,
        rows=rows,
        scheme=Scheme.objects.in_force(month),
        query=request.GET.urlencode() or f"month={month:%Y-%m}",
    )
    return render(request, "appraisal/index.html", context)


@staff_view(access.can_read_scores)
def unit(request: HttpRequest, code: str) -> HttpResponse:
    chosen = access.get_unit_for_user(request.user, code)
    form, month = _month(request)
    context = {"form": form, "unit": chosen}
    if month is None:
        return render(request, "appraisal/unit.html", context, status=400)
    context.update(
        month=month,
        score=scores.unit_score(chosen, month),
        training=_training(chosen, month),
    )
    return render(request, "appraisal/unit.html", context)


@staff_view(access.can_read_scores)
def line(request: HttpRequest, code: str, position: int) -> HttpResponse:
    chosen = access.get_unit_for_user(request.user, code)
    form, month = _month(request)
    if month is None:
        return render(request, "appraisal/line.html", {"form": form, "unit": chosen}, status=400)
    scheme = Scheme.objects.in_force(month)
    found = scheme.lines.filter(position=position).first() if scheme else None
    if found is None:
        raise Http404("No such line")
    scored = scores.score_line(found, chosen, scores.period_of(month))
    context = {
        "form": form,
        "unit": chosen,
        "month": month,
        "line": scored,
        "rows": scores.line_rows(chosen, month, found),
        "is_rate": scored.kind is not None and scored.kind.effect == lines.RATE,
    }
    return render(request, "appraisal/line.html", context)


@staff_view(access.can_read_scores)
def scheme_list(request: HttpRequest) -> HttpResponse:
    versions = Scheme.objects.prefetch_related("lines").select_related("created_by")
    context = {
        "versions": [(scheme, _describe(scheme)) for scheme in versions],
        "may_edit": access.can_edit_schemes(request.user),
    }
    return render(request, "appraisal/schemes.html", context)


def _describe(scheme: Scheme) -> list[dict]:
    described = []
    for item in scheme.lines.all():
        kind = lines.get(item.kind)
        described.append(
            {
                "position": item.position,
                "label": scores.line_label(kind, item),
                "effect": kind.effect if kind else "",
                "points": item.points,
                "cap": item.cap,
            }
        )
    return described


@staff_view(access.can_edit_schemes)
def scheme_new(request: HttpRequest) -> HttpResponse:
    """A new version of the scheme, starting from the one in force now."""
    current = Scheme.objects.order_by("-valid_from", "-id").first()
    if request.method == "POST":
        form = SchemeForm(request.POST)
        formset = LineFormSet(request.POST, prefix="line")
        errors: list[str] = []
        if form.is_valid() and formset.is_valid():
            try:
                schemes.scheme_create(
                    name=form.cleaned_data["name"],
                    valid_from=form.cleaned_data["valid_from"],
                    note=form.cleaned_data["note"],
                    rows=[line_form.row() for line_form in formset.forms],
                    actor=request.user,
                )
            except schemes.SchemeError as error:
                errors = error.errors
            else:
                messages.success(request, _("The new scheme was saved."))
                return redirect("appraisal:schemes")
        context = {"form": form, "formset": formset, "errors": errors}
        return render(request, "appraisal/scheme_new.html", context, status=400)
    rows = schemes.scheme_rows(current) + [{} for _ in range(EXTRA_LINES)]
    initial = {
        "name": current.name if current else "",
        "valid_from": MonthForm.this_month(),
    }
    context = {
        "form": SchemeForm(initial=initial),
        "formset": LineFormSet(prefix="line", initial=rows),
        "errors": [],
    }
    return render(request, "appraisal/scheme_new.html", context)
