"""百姓评 pages: the public rate pages and the staff pages for links, posters and appeals."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.core.access import staff_view
from civicdesk.core.paging import CappedPaginator
from civicdesk.core.ratelimit import over_limit, seconds_left
from civicdesk.core.tokens import too_many_attempts
from civicdesk.ratings.access import (
    TokenThrottled,
    get_invitation_for_token,
    get_invitation_for_user,
    get_public_window,
    get_rating_for_rerate_token,
    get_rating_for_user,
    get_window_for_user,
    may_appeal,
    may_decide_appeals,
    may_issue,
    may_see_ratings,
    ratings_visible_to,
    windows_visible_to,
)
from civicdesk.ratings.forms import (
    AppealForm,
    DecisionForm,
    FirstRatingForm,
    InvitationForm,
    RatingForm,
    window_staff,
)
from civicdesk.ratings.models import AppealStatus, Rating, Source
from civicdesk.ratings.qr import absolute_url, qr_svg
from civicdesk.ratings.services import (
    RatingError,
    invitation_create,
    rating_appeal,
    rating_decide_appeal,
    rating_rerate,
    rating_submit,
    rerate_refusal,
)


def window_link_rate_limit() -> str:
    return getattr(settings, "CIVICDESK_RATING_WINDOW_RATE_LIMIT", "5/h")


# The public pages.


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "ratings/invalid_link.html", status=404)


def _too_many_attempts(request: HttpRequest, throttled: TokenThrottled) -> HttpResponse:
    message = _(
        "Too many wrong rating links were opened from your connection. Please check the link "
        "you were given and try again later."
    )
    return too_many_attempts(request, throttled, message)


def _refused(request: HttpRequest, message: str, *, status: int, rating: Rating | None = None):
    return render(
        request, "ratings/refused.html", {"message": message, "rating": rating}, status=status
    )


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = get_invitation_for_token(token, request=request)
    except TokenThrottled as throttled:
        return _too_many_attempts(request, throttled)
    except Http404:
        return _not_found(request)
    if invitation.used_at is not None:
        return _refused(
            request, _("This visit was already rated. Each visit can be rated once."), status=409
        )
    form = FirstRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rating_submit(
                invitation=invitation,
                level=data["level"],
                reasons=data["reasons"],
                comment=data["comment"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
            )
        except RatingError as error:
            return _refused(request, str(error), status=409)
        return redirect("ratings:done", token=invitation.token)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "ratings/rate.html",
        {"form": form, "window": invitation.window, "invitation": invitation},
        status=status,
    )


def done(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = get_invitation_for_token(token, request=request)
    except TokenThrottled as throttled:
        return _too_many_attempts(request, throttled)
    except Http404:
        return _not_found(request)
    rating = (
        invitation.ratings.select_related("case", "window").filter(previous__isnull=True).first()
    )
    if rating is None:
        return redirect("ratings:rate", token=token)
    return render(request, "ratings/done.html", {"rating": rating, "rerating": None})


def window_link(request: HttpRequest, code: str, staff_id: int | None = None) -> HttpResponse:
    """The printed QR code of a window (or of one staff member): a fresh link per visit."""
    try:
        window, staff = get_public_window(code, staff_id)
    except Http404:
        return _not_found(request)
    spec = window_link_rate_limit()
    if over_limit(request, f"rate-window:{window.pk}", spec):
        response = _refused(
            request,
            _("This window was rated from your connection a short while ago. Please try later."),
            status=429,
        )
        response["Retry-After"] = str(seconds_left(spec))
        return response
    try:
        invitation = invitation_create(
            window=window, actor=None, staff=staff, source=Source.WINDOW_LINK
        )
    except RatingError as error:
        return _refused(request, str(error), status=400)
    return redirect("ratings:rate", token=invitation.token)


@require_http_methods(["GET", "POST"])
def rerate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        previous = get_rating_for_rerate_token(token, request=request)
    except TokenThrottled as throttled:
        return _too_many_attempts(request, throttled)
    except Http404:
        return _not_found(request)
    refusal = rerate_refusal(previous)
    if refusal:
        return _refused(request, refusal, status=409, rating=previous)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rating = rating_rerate(
                previous=previous,
                level=data["level"],
                reasons=data["reasons"],
                comment=data["comment"],
            )
        except RatingError as error:
            return _refused(request, str(error), status=409, rating=previous)
        return render(request, "ratings/done.html", {"rating": previous, "rerating": rating})
    return render(
        request,
        "ratings/rate.html",
        {"form": form, "window": previous.window, "previous": previous},
        status=400 if form.is_bound else 200,
    )


# The staff pages.


@staff_view(may_see_ratings)
def staff_index(request: HttpRequest) -> HttpResponse:
    ratings = ratings_visible_to(request.user)
    windows = windows_visible_to(request.user)
    code = request.GET.get("window", "")
    if code:
        ratings = ratings.filter(window__code=code)
    if request.GET.get("bad"):
        ratings = ratings.bad()
    page = CappedPaginator(ratings, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/staff_index.html",
        {"page": page, "windows": windows, "window_code": code},
    )


@staff_view(may_see_ratings)
def window_detail(request: HttpRequest, code: str) -> HttpResponse:
    window = get_window_for_user(request.user, code)
    can_issue = may_issue(request.user, window)
    return render(
        request,
        "ratings/window.html",
        {
            "window": window,
            "form": InvitationForm(window=window) if can_issue else None,
            "staff": window_staff(window),
            "ratings": ratings_visible_to(request.user).filter(window=window)[:20],
            "recent_invitations": window.rating_invitations.select_related("staff")[:10]
            if can_issue
            else [],
        },
    )


@require_POST
@staff_view(may_see_ratings)
def invite(request: HttpRequest, code: str) -> HttpResponse:
    window = get_window_for_user(request.user, code)
    if not may_issue(request.user, window):
        raise Http404
    form = InvitationForm(request.POST, window=window)
    if form.is_valid():
        try:
            invitation = invitation_create(
                window=window,
                actor=request.user,
                staff=form.cleaned_data["staff"],
                service_name=form.cleaned_data["service_name"],
            )
        except RatingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("ratings:invitation", pk=invitation.pk)
    return render(
        request,
        "ratings/window.html",
        {"window": window, "form": form, "staff": window_staff(window), "ratings": []},
        status=400,
    )


@staff_view(may_see_ratings)
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_user(request.user, pk)
    url = absolute_url(request, reverse("ratings:rate", kwargs={"token": invitation.token}))
    return render(
        request,
        "ratings/invitation.html",
        {"invitation": invitation, "url": url, "qr": qr_svg(url)},
    )


@staff_view(may_see_ratings)
def poster(request: HttpRequest, code: str) -> HttpResponse:
    """A printable QR code for walk-ins at a window, or for one of its staff members."""
    window = get_window_for_user(request.user, code)
    staff = None
    staff_id = request.GET.get("staff", "")
    if staff_id:
        staff = window_staff(window).filter(pk=staff_id).first() if staff_id.isdigit() else None
        if staff is None:
            raise Http404
        path = reverse(
            "ratings:window_staff_link", kwargs={"code": window.code, "staff_id": staff.pk}
        )
    else:
        path = reverse("ratings:window_link", kwargs={"code": window.code})
    url = absolute_url(request, path)
    return render(
        request,
        "ratings/poster.html",
        {"window": window, "staff_member": staff, "url": url, "qr": qr_svg(url, scale=10)},
    )


def _rating_page(
    request: HttpRequest, rating: Rating, *, appeal_form=None, decision_form=None, status: int = 200
) -> HttpResponse:
    can_appeal = may_appeal(request.user, rating) and rating.appeal_status == AppealStatus.NONE
    can_decide = may_decide_appeals(request.user) and rating.appeal_status == AppealStatus.PENDING
    return render(
        request,
        "ratings/rating.html",
        {
            "rating": rating,
            "events": rating.invitation.events.select_related("actor"),
            "appeal_form": (appeal_form or AppealForm()) if can_appeal else None,
            "decision_form": (decision_form or DecisionForm()) if can_decide else None,
        },
        status=status,
    )


@staff_view(may_see_ratings)
def rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _rating_page(request, get_rating_for_user(request.user, pk))


@require_POST
@staff_view(may_see_ratings)
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_rating_for_user(request.user, pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            rating_appeal(rating=rating, actor=request.user, reason=form.cleaned_data["reason"])
        except RatingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The appeal was sent to the supervisors."))
            return redirect("ratings:rating", pk=rating.pk)
    return _rating_page(request, rating, appeal_form=form, status=400)


@require_POST
@staff_view(may_decide_appeals)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_rating_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            rating_decide_appeal(
                rating=rating,
                actor=request.user,
                uphold=form.cleaned_data["decision"] == "uphold",
                reason=form.cleaned_data["reason"],
            )
        except RatingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("ratings:rating", pk=rating.pk)
    return _rating_page(request, rating, decision_form=form, status=400)


@staff_view(may_see_ratings)
def rectifications(request: HttpRequest) -> HttpResponse:
    """Bad ratings whose rectification case is still open, overdue first."""
    ratings = ratings_visible_to(request.user).rectification_open().order_by("due_at", "id")
    overdue_only = request.GET.get("overdue", "1") != "0"
    if overdue_only:
        ratings = ratings.overdue()
    page = Paginator(ratings, 30).get_page(request.GET.get("page"))
    return render(
        request, "ratings/rectifications.html", {"page": page, "overdue_only": overdue_only}
    )


@staff_view(may_decide_appeals)
def appeals(request: HttpRequest) -> HttpResponse:
    pending = ratings_visible_to(request.user).filter(appeal_status=AppealStatus.PENDING)
    return render(request, "ratings/appeals.html", {"ratings": pending.order_by("created_at")})
