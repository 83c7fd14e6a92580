"""The public pages: thin views that parse the request, call the lookup service and render."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from carriers.model import CarrierFailure, Found, Parcel, Status
from tracking_site.estimates.figures import ensure_figures
from tracking_site.lookup.clients import get_carriers
from tracking_site.lookup.gatherer import LOOKUP
from tracking_site.lookup.permalink import Problem, look_up, read_permalink
from tracking_site.lookup.service import LookupOutcome, carriers_to_ask, lookup_parcels
from tracking_site.presentation.arrival import ExpectedDelivery, expected_deliveries, expected_delivery_of
from tracking_site.presentation.carrier_text import place_case
from tracking_site.presentation.failures import FAILURES, failure_words, seconds_to_retry
from tracking_site.presentation.headline import Answer, answer_for, current_place
from tracking_site.presentation.local_times import event_shown_time, parcel_today
from tracking_site.presentation.milestones import milestone_steps
from tracking_site.presentation.parcel_view import build_parcel_view
from tracking_site.presentation.results_order import result_group
from tracking_site.presentation.results_summary import ResultCounts, cards_day_note, names_or, summary_line
from tracking_site.presentation.status_words import carrier_name
from tracking_site.presentation.what_now import NEEDS_YOU
from tracking_site.protection.rate_limits import charge_numbers, rate_limited
from tracking_site.web import answer_cache
from tracking_site.web.forms import MAX_QUERY_LENGTH, SearchForm
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
    ensure_figures()
    form = SearchForm(enabled_carriers=list(get_carriers()))
    return render(request, "home.html", _home_context(form))


@require_safe
@rate_limited("search")
def track(request: HttpRequest) -> HttpResponse:
    """The search: one number found goes to its page; several get a summary card each.

    Entries that are not tracking numbers do not stop the others: they are named on the results page. Several
    numbers answer within the search deadline (tuning: lookup.search_deadline_seconds): a carrier still being
    asked then is named, with a link to look again (its answer will be in the parcel cache by then).
    """
    form = SearchForm(request.GET, enabled_carriers=list(get_carriers()))
    if not form.is_valid():
        return render(request, "home.html", _home_context(form), status=400)
    charge_numbers(request, len(form.cleaned_data["q"]))
    numbers = form.cleaned_data["q"]
    deadline = LOOKUP.current().search_deadline_seconds if len(numbers) > 1 else None
    outcomes = lookup_parcels(numbers, form.cleaned_data["carrier"], answer_within=deadline)
    if len(outcomes) == 1 and outcomes[0].found and not form.rejected:
        return redirect(permalink(outcomes[0]))
    status, retry_after = 200, None
    if len(outcomes) == 1 and not outcomes[0].found:
        result = outcomes[0].result
        status = 404 if not isinstance(result, CarrierFailure) else FAILURES[result.reason].http_status
        if isinstance(result, CarrierFailure):
            retry_after = seconds_to_retry(result)
    cards = result_cards(outcomes, form.cleaned_data["carrier"])
    found = [card for card in cards if "parcel" in card]
    response = render(
        request,
        "results.html",
        {
            "cards": sorted(cards, key=_card_group),
            "typed": cards,  # the permalink keeps the order they were typed in
            "offer_link": bool(found),  # "0 of 1 found" is nothing to share
            "day_note": cards_day_note([str(card["parcel_today"]) for card in found]),
            "form": form,
            "rejected": form.rejected,
            "summary": summary_line(_counts(cards, len(form.rejected))),
            "query": " ".join(form.cleaned_data["q"]),
            "look_again": request.get_full_path() if any(outcome.pending for outcome in outcomes) else None,
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    if any(outcome.pending for outcome in outcomes):
        response["Cache-Control"] = "no-cache"  # "Look again" must reach us, not a cache's copy of this page
    return response


def result_cards(outcomes: list[LookupOutcome], chosen: str | None) -> list[dict[str, object]]:
    """One card per outcome; the lane figures for every estimate are read in one go."""
    now = timezone.now()
    found = [outcome.result.parcel for outcome in outcomes if isinstance(outcome.result, Found)]
    expected = expected_deliveries(found)
    enabled = list(get_carriers())
    return [_card(outcome, expected, chosen, enabled, now) for outcome in outcomes]


def _card(
    outcome: LookupOutcome,
    expected: dict[tuple[str, str], ExpectedDelivery | None],
    chosen: str | None,
    enabled: list[str],
    now: datetime,
) -> dict[str, object]:
    # Worked out here rather than by template tags: a results page renders up to 25 cards at once.
    result = outcome.result
    card: dict[str, object] = {"outcome": outcome, "number": outcome.number}
    if outcome.pending:
        card.update(pending=True, carrier=names_or([carrier_name(slug) for slug in outcome.pending]))
    elif isinstance(result, Found):
        parcel = result.parcel
        latest = parcel.latest_event
        answer = answer_for(parcel, expected.get((parcel.carrier, parcel.tracking_number)), now)
        card.update(
            parcel=parcel,
            url=permalink(outcome),
            carrier=carrier_name(result.carrier),
            answer=answer,
            # The parcel's own today, where its answer names a day as today, tomorrow or yesterday.
            parcel_today=parcel_today(parcel, now).isoformat() if answer.text != answer.printed else "",
            steps=milestone_steps(parcel),
            place=place_case(current_place(parcel).label),
            latest_time=event_shown_time(latest, parcel, now) if latest else None,
            needs_you=parcel.status in NEEDS_YOU,
        )
    elif isinstance(result, CarrierFailure):
        card.update(failure=failure_words(result), carrier=carrier_name(result.carrier))
    else:
        asked = carriers_to_ask(outcome.number, chosen, enabled)
        names = [carrier_name(slug) for slug in asked]
        card.update(not_found=True, asked=names, asked_names=names_or(names))
    return card


def _card_group(card: dict[str, object]) -> int:
    parcel, answer = card.get("parcel"), card.get("answer")
    return result_group(
        parcel.status if isinstance(parcel, Parcel) else None, isinstance(answer, Answer) and answer.arriving_today
    )


def _counts(cards: list[dict[str, object]], rejected: int) -> ResultCounts:
    found = [card for card in cards if "parcel" in card]
    return ResultCounts(
        searched=len(cards),
        found=len(found),
        arriving_today=sum(1 for card in found if getattr(card["answer"], "arriving_today", False)),
        delivered=sum(1 for card in found if getattr(card["parcel"], "status", None) is Status.DELIVERED),
        need_you=sum(1 for card in found if card["needs_you"]),
        unanswered=sum(1 for card in cards if "failure" in card),
        still_asking=sum(1 for card in cards if "pending" in card),
        rejected=rejected,
    )


@require_safe
@errors_not_cached
@rate_limited("pages")
def parcel_page(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """The permalink timeline that support staff share."""
    link = read_permalink(carrier, number)
    if link.problem is Problem.CARRIER:
        unknown = {"reason": "carrier", "carrier_slug": carrier, "form": _search_again(number)}
        return render(request, "not_found.html", unknown, status=404)
    if link.problem is Problem.NUMBER:
        bad = {"error": link.error, "form": _search_again(number[:MAX_QUERY_LENGTH])}
        return render(request, "bad_number.html", bad, status=400)
    if link.number != number:
        return redirect("parcel", carrier=carrier, number=link.number, permanent=True)
    charge_numbers(request, 1)
    if kept := answer_cache.kept_response(request, "page"):
        return kept
    link = look_up(link)
    outcome = link.outcome
    context: dict[str, object] = {
        "outcome": outcome,
        "number": link.number,
        "carrier": carrier_name(carrier),
        "carrier_slug": carrier,
        "form": _search_again(""),  # a customer with several parcels goes on from here to the next
    }
    if (parcel := link.parcel) is not None and outcome is not None:
        context["parcel"] = parcel

        def page() -> HttpResponse:
            context["view"] = build_parcel_view(
                parcel,
                now=timezone.now(),
                page_language=get_language() or settings.LANGUAGE_CODE,
                expected=expected_delivery_of(parcel),
                fetched_at=outcome.fetched_at,
            )
            return render(request, "parcel.html", context)

        response = conditional_parcel_response(request, outcome, "page", page)
        return answer_cache.keep(request, "page", outcome, response)
    if (failure := link.failure) is not None:
        context["failure"] = failure_words(failure)
        response = render(request, "carrier_failure.html", context, status=FAILURES[failure.reason].http_status)
        response["Retry-After"] = str(seconds_to_retry(failure))
        return response
    context.update(reason="parcel", form=_search_again(link.number))
    return render(request, "not_found.html", context, status=404)


def _search_again(typed: str) -> SearchForm:
    """A search box holding what was typed, for pages that could not show a parcel."""
    return SearchForm(initial={"q": typed}, enabled_carriers=list(get_carriers()))
