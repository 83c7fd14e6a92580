"""The staff console: staff users only, never cached, every search a POST with its CSRF token."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from carriers.base import InvalidNumber
from carriers.detect import normalize_number
from tracking_site.presentation.arrival import expected_deliveries
from tracking_site.presentation.carrier_text import foreign_language
from tracking_site.presentation.links import absolute_url
from tracking_site.presentation.status_words import carrier_name
from tracking_site.protection.rate_limits import RateLimited, charge
from tracking_site.staff.searches import SEARCHES, SearchOutcome, StaffResult, run_search
from tracking_site.staff.ticket_summary import SummaryLanguageForm, ticket_summary

View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    """Anonymous visitors go to the login page; signed-in users who are not staff get 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def customer_link(carrier: str, number: str) -> str:
    """The public permalink of a parcel on the canonical address, for a reply; "" for an unusable number."""
    try:
        normalized = normalize_number(number)
    except InvalidNumber:
        return ""
    return absolute_url(reverse("parcel", args=[carrier, normalized]))


def _cards(results: tuple[StaffResult, ...], language: str) -> list[dict[str, object]]:
    now = timezone.now()
    expected = expected_deliveries([result.parcel for result in results])
    cards: list[dict[str, object]] = []
    for result in results:
        parcel = result.parcel
        link = customer_link(parcel.carrier, parcel.tracking_number)
        summary = ticket_summary(parcel, expected[(parcel.carrier, parcel.tracking_number)], link, language, now)
        cards.append(
            {
                "parcel": parcel,
                "asked": result.asked,
                "carrier": carrier_name(parcel.carrier),
                # The carrier's own words (its scans, its service's name) are marked with its language.
                "carrier_lang": foreign_language(parcel.carrier, get_language() or settings.LANGUAGE_CODE),
                "link": link,
                "summary": summary,
            }
        )
    return cards


@require_safe
@staff_only
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/index.html", {"searches": SEARCHES.values()})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def search(request: HttpRequest, slug: str) -> HttpResponse:
    """One search's form; on POST, the parcels it finds (every page of them) below it."""
    chosen = SEARCHES.get(slug)
    if chosen is None:
        raise Http404("No such search.")
    form = chosen.form(request.POST if request.method == "POST" else None)
    summary_form = SummaryLanguageForm(request.POST if request.method == "POST" else None)
    outcome: SearchOutcome | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            outcome = run_search(chosen, form.cleaned_data)
            status = outcome.http_status
        else:
            status = 400
    context = {
        "search": chosen,
        "form": form,
        "outcome": outcome,
        "summary_form": summary_form,
        "summary_language": summary_form.chosen(),
        "cards": _cards(outcome.results, summary_form.chosen()) if outcome else [],
        "searches": SEARCHES.values(),
    }
    return render(request, "staff/search.html", context, status=status)


_login_view = LoginView.as_view(template_name="staff/login.html", next_page="staff_index")


@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """Django's login, with sign-in attempts limited per client IP."""
    if request.method == "POST":
        try:
            charge(request, "staff_login")
        except RateLimited as exc:
            response = render(request, "staff/login_rate_limited.html", {"retry_after": exc.retry_after}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
    return _login_view(request)


logout = never_cache(LogoutView.as_view(next_page="staff_login"))
