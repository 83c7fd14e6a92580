"""The public pages: thin views that parse the request, call the lookup service and render."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from carriers.base import InvalidNumber
from carriers.detect import normalize_number
from carriers.model import CarrierFailure, Found
from tracking_site.lookup.clients import get_carriers
from tracking_site.lookup.service import LookupOutcome, lookup_parcels
from tracking_site.presentation.failures import FAILURES, failure_text
from tracking_site.presentation.local_times import event_shown_time
from tracking_site.presentation.status_words import carrier_name
from tracking_site.protection.rate_limits import charge_numbers, rate_limited
from tracking_site.web import answer_cache
from tracking_site.web.forms import SearchForm
from tracking_site.web.http_caching import conditional_parcel_response, errors_not_cached

logger = logging.getLogger("tracking_site")


def permalink(outcome: LookupOutcome) -> str:
    return reverse("parcel", args=[outcome.result.carrier, outcome.number])


def _home_context(form: SearchForm) -> dict[str, object]:
    return {"form": form, "demo_groups": _demo_groups() if settings.TRACKING_DEMO else []}


def _demo_groups() -> list[dict[str, object]]:
    from carriers.demo import demo_numbers  # demo mode only: production never loads the fakes

    return [{"slug": slug, "name": carrier_name(slug), "numbers": numbers} for slug, numbers in demo_numbers().items()]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(enabled_carriers=list(get_carriers()))
    return render(request, "home.html", _home_context(form))


@require_safe
@rate_limited("search")
def track(request: HttpRequest) -> HttpResponse:
    """The search: one number found goes to its page; several get a summary card each."""
    form = SearchForm(request.GET, enabled_carriers=list(get_carriers()))
    if not form.is_valid():
        return render(request, "home.html", _home_context(form), status=400)
    charge_numbers(request, len(form.cleaned_data["q"]))
    outcomes = lookup_parcels(form.cleaned_data["q"], form.cleaned_data["carrier"])
    if len(outcomes) == 1 and outcomes[0].found:
        return redirect(permalink(outcomes[0]))
    status, retry_after = 200, None
    if len(outcomes) == 1:
        result = outcomes[0].result
        status = 404 if not isinstance(result, CarrierFailure) else FAILURES[result.reason].http_status
        if isinstance(result, CarrierFailure):
            retry_after = FAILURES[result.reason].retry_after_seconds
    cards = [_card(outcome) for outcome in outcomes]
    response = render(
        request,
        "results.html",
        {"cards": cards, "form": form, "query": " ".join(form.cleaned_data["q"])},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _card(outcome: LookupOutcome) -> dict[str, object]:
    result = outcome.result
    card: dict[str, object] = {"outcome": outcome, "number": outcome.number}
    if isinstance(result, Found):
        card.update(parcel=result.parcel, url=permalink(outcome), carrier=carrier_name(result.carrier))
        latest = result.parcel.latest_event
        if latest:
            # Worked out here rather than by template tags: a results page renders up to 25 cards at once.
            card.update(latest=latest, latest_time=event_shown_time(latest, result.parcel, timezone.now()))
    elif isinstance(result, CarrierFailure):
        card.update(failure=failure_text(result.carrier, result.reason), carrier=carrier_name(result.carrier))
    return card


def parse_permalink(carrier: str, number: str) -> tuple[str, str | None]:
    """(normalized number, error) for a permalink's path segments."""
    try:
        return normalize_number(number), None
    except InvalidNumber as exc:
        return "", str(exc)


@require_safe
@errors_not_cached
@rate_limited("pages")
def parcel_page(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """The permalink timeline that support staff share."""
    if carrier not in get_carriers():
        return render(request, "not_found.html", {"reason": "carrier", "carrier_slug": carrier}, status=404)
    normalized, error = parse_permalink(carrier, number)
    if error:
        return render(request, "bad_number.html", {"error": error}, status=400)
    if normalized != number:
        return redirect("parcel", carrier=carrier, number=normalized, permanent=True)
    charge_numbers(request, 1)
    if kept := answer_cache.kept_response(request, "page"):
        return kept
    outcome = lookup_parcels([normalized], carrier)[0]
    context = {"outcome": outcome, "number": normalized, "carrier": carrier_name(carrier), "carrier_slug": carrier}
    if isinstance(outcome.result, Found):
        context["parcel"] = outcome.result.parcel
        response = conditional_parcel_response(
            request, outcome, "page", lambda: render(request, "parcel.html", context)
        )
        return answer_cache.keep(request, "page", outcome, response)
    if isinstance(outcome.result, CarrierFailure):
        failure = FAILURES[outcome.result.reason]
        context["failure"] = failure_text(carrier, outcome.result.reason)
        response = render(request, "carrier_failure.html", context, status=failure.http_status)
        response["Retry-After"] = str(failure.retry_after_seconds)
        return response
    return render(request, "not_found.html", {**context, "reason": "parcel"}, status=404)
