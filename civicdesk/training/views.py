"""Training pages (关门修炼): the year's lectures, seminars, readings and contests; recording
attendance (by hand or from a sign-in sheet), reading and scores; hours per person and unit."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civicdesk.accounts.models import User
from civicdesk.core.access import staff_view
from civicdesk.evaluation.rates import appraised_units
from civicdesk.training import access, attendance_import, figures, services
from civicdesk.training.forms import (
    AssignmentForm,
    ContestForm,
    ImportForm,
    PeopleForm,
    ScoreForm,
    SessionForm,
    StudyForm,
    YearForm,
)
from civicdesk.training.models import Contest, Session, StudyAssignment


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET if "year" in request.GET else {"year": YearForm.this_year()})
    return form.cleaned_data["year"] if form.is_valid() else YearForm.this_year()


@staff_view(access.can_use_training)
def index(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    first, stop = figures.year_bounds(year)
    user = request.user
    mine = figures.person_hours(User.objects.filter(pk=user.pk), first, stop)[0]
    context = {
        "year": year,
        "sessions": Session.objects.filter(date__gte=first, date__lt=stop).select_related("unit"),
        "assignments": StudyAssignment.objects.filter(
            assigned_on__gte=first, assigned_on__lt=stop
        ).select_related("unit"),
        "contests": Contest.objects.filter(date__gte=first, date__lt=stop).select_related("unit"),
        "mine": mine,
        "may_organise": access.can_organise(user),
    }
    return render(request, "training/index.html", context)


def _create(request: HttpRequest, form_class, template: str, target: str) -> HttpResponse:
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = form.save(commit=False)
        created.created_by = request.user
        created.save()
        messages.success(request, _("Saved."))
        return redirect(target, pk=created.pk)
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@staff_view(access.can_organise)
def session_new(request: HttpRequest) -> HttpResponse:
    return _create(request, SessionForm, "training/session_new.html", "training:session")


@staff_view(access.can_organise)
def assignment_new(request: HttpRequest) -> HttpResponse:
    return _create(request, AssignmentForm, "training/assignment_new.html", "training:assignment")


@staff_view(access.can_organise)
def contest_new(request: HttpRequest) -> HttpResponse:
    return _create(request, ContestForm, "training/contest_new.html", "training:contest")


@staff_view(access.can_use_training)
def session(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get_session_for_user(request.user, pk)
    may_organise = access.can_organise(request.user)
    people_form = PeopleForm(prefix="people") if may_organise else None
    import_form = ImportForm(prefix="sheet") if may_organise else None
    import_errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not may_organise:
            raise Http404
        if "people-people" in request.POST:
            people_form = PeopleForm(request.POST, prefix="people")
            if people_form.is_valid():
                try:
                    added, already = services.attendance_add(
                        session=found,
                        people=list(people_form.cleaned_data["people"]),
                        actor=request.user,
                    )
                except services.TrainingError as error:
                    people_form.add_error("people", str(error))
                else:
                    messages.success(
                        request,
                        _("%(added)d attendees added, %(already)d already recorded.")
                        % {"added": added, "already": already},
                    )
                    return redirect("training:session", pk=found.pk)
        else:
            import_form = ImportForm(request.POST, request.FILES, prefix="sheet")
            if import_form.is_valid():
                try:
                    result = attendance_import.import_attendance(
                        session=found,
                        content=import_form.cleaned_data["file"].read(),
                        actor=request.user,
                    )
                except services.TrainingError as error:
                    import_form.add_error("file", str(error))
                else:
                    if not result.errors:
                        messages.success(
                            request,
                            _(
                                "Sign-in sheet imported: %(added)d attendees added, "
                                "%(already)d already recorded."
                            )
                            % {"added": result.added, "already": result.already},
                        )
                        return redirect("training:session", pk=found.pk)
                    import_errors = result.errors
        status = 400
    context = {
        "session": found,
        "attendances": found.attendances.select_related("person", "person__unit"),
        "people_form": people_form,
        "import_form": import_form,
        "import_errors": import_errors,
    }
    return render(request, "training/session.html", context, status=status)


@staff_view(access.can_use_training)
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get_assignment_for_user(request.user, pk)
    own = found.records.filter(person=request.user).first()
    may_record = own is None and found.covers(request.user)
    form = StudyForm(request.POST or None) if may_record else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.study_record(
                    assignment=found,
                    person=request.user,
                    reflection=form.cleaned_data["reflection"],
                    finished_on=form.cleaned_data["finished_on"],
                )
            except services.TrainingError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Your reading was recorded."))
                return redirect("training:assignment", pk=found.pk)
        status = 400
    context = {
        "assignment": found,
        "records": found.records.select_related("person", "person__unit"),
        "own": own,
        "form": form,
    }
    return render(request, "training/assignment.html", context, status=status)


@staff_view(access.can_use_training)
def contest(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.get_contest_for_user(request.user, pk)
    may_organise = access.can_organise(request.user)
    form = ScoreForm(request.POST or None) if may_organise else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.contest_score(
                    contest=found,
                    person=form.cleaned_data["person"],
                    score=form.cleaned_data["score"],
                )
            except services.TrainingError as error:
                form.add_error("score", str(error))
            else:
                messages.success(request, _("The score was recorded."))
                return redirect("training:contest", pk=found.pk)
        status = 400
    context = {"contest": found, "ranking": services.ranking(found), "form": form}
    return render(request, "training/contest.html", context, status=status)


@staff_view(access.can_use_training)
def hours(request: HttpRequest) -> HttpResponse:
    """Hours per unit (the units below the district) and per person of a chosen unit."""
    year = _year(request)
    first, stop = figures.year_bounds(year)
    visible = access.hour_units_for(request.user)
    units = [u for u in appraised_units() if visible.filter(pk=u.pk).exists()]
    if not units and request.user.unit_id is not None and visible.exists():
        units = [request.user.unit]
    code = request.GET.get("unit") or (units[0].code if len(units) == 1 else "")
    chosen = access.get_hour_unit_for_user(request.user, code) if code else None
    context = {
        "year": year,
        "units": [(unit, figures.unit_figures(unit, first, stop)) for unit in units],
        "chosen": chosen,
        "people": figures.person_hours(figures.staff_of(chosen), first, stop) if chosen else [],
    }
    return render(request, "training/hours.html", context)
