"""Following's pages and endpoints: the feed, the calendar entry, push and email sign-up, confirm, unsubscribe.

The follow endpoints take no CSRF token on purpose: nobody is signed in, so a forged post could only do what
anyone can do on the page, and a token would make every parcel page personal (no CDN could share it). They
refuse cross-site posts instead. Confirm and unsubscribe links are the authority themselves (signed keys);
unsubscribing accepts the one-click POST mail providers send (RFC 8058).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from carriers.base import InvalidNumber, shorten_number
from carriers.detect import normalize_number
from carriers.model import CarrierFailure, Found, Parcel
from tracking_site.following import mail
from tracking_site.following.calendar_entry import calendar_day, calendar_document
from tracking_site.following.confirmations import confirmation_due
from tracking_site.following.feeds import ParcelFeed
from tracking_site.following.forms import (
    EmailFollowForm,
    SubscriptionRefused,
    parse_push_endpoint,
    parse_push_subscription,
)
from tracking_site.following.json_endpoints import json_post
from tracking_site.following.models import EmailSubscription
from tracking_site.following.parcel_store import FINAL_STATUSES, follow_parcel
from tracking_site.following.subscriptions import Confirmed, add_push, confirm_address, forget_push
from tracking_site.following.tasks import send_confirmation
from tracking_site.following.vapid import application_server_key
from tracking_site.lookup.clients import get_carriers
from tracking_site.lookup.service import LookupOutcome, lookup_parcels
from tracking_site.presentation.failures import FAILURES, failure_words, seconds_to_retry
from tracking_site.presentation.status_words import carrier_name
from tracking_site.protection.rate_limits import RateLimited, charge, charge_numbers, too_many_requests
from tracking_site.resilience.task_queue import enqueue_or_run_here
from tracking_site.web.errors import api_error
from tracking_site.web.http_caching import cache_control

logger = logging.getLogger("tracking_site.following")
View = Callable[..., HttpResponse]


# --- finding the parcel a request is about ------------------------------------------------------------------


@dataclass(frozen=True)
class Looked:
    """A follow request's parcel, or why there is none (an HTTP status and, for failures, Retry-After)."""

    number: str
    outcome: LookupOutcome | None = None
    problem: str = ""  # "carrier", "number", "parcel" (not found), "failure"
    status: int = 200

    @property
    def parcel(self) -> Parcel | None:
        return self.outcome.result.parcel if self.outcome and isinstance(self.outcome.result, Found) else None


def valid_number(carrier: str, number: str) -> Looked:
    """The permalink's segments checked, without asking any carrier."""
    if carrier not in get_carriers():
        return Looked(number, problem="carrier", status=404)
    try:
        return Looked(normalize_number(number))
    except InvalidNumber:
        return Looked(number, problem="number", status=400)


def look_up(request: HttpRequest, carrier: str, number: str) -> Looked:
    """The parcel, asked like its page asks (the visitor's number budget pays; RateLimited when spent)."""
    checked = valid_number(carrier, number)
    if checked.problem:
        return checked
    charge_numbers(request, 1)
    outcome = lookup_parcels([checked.number], carrier)[0]
    if isinstance(outcome.result, Found):
        return Looked(checked.number, outcome)
    if isinstance(outcome.result, CarrierFailure):
        return Looked(checked.number, outcome, problem="failure", status=FAILURES[outcome.result.reason].http_status)
    return Looked(checked.number, outcome, problem="parcel", status=404)


# What a feed reader or calendar is told when there is no parcel to show (the same sentences as the JSON's errors).
PLAIN_PROBLEMS = {
    "carrier": gettext_lazy("This site does not track parcels for that carrier."),
    "number": gettext_lazy("That is not a tracking number."),
    "parcel": gettext_lazy("No parcel has that number."),
    "failure": gettext_lazy("The carrier is not answering right now; try again later."),
}


def plain_problem(looked: Looked) -> HttpResponse:
    """A feed reader's or calendar's answer when there is no parcel to show."""
    response = HttpResponse(
        f"{PLAIN_PROBLEMS[looked.problem]}\n", content_type="text/plain; charset=utf-8", status=looked.status
    )
    response["Cache-Control"] = "no-cache"
    if looked.outcome and isinstance(looked.outcome.result, CarrierFailure):
        response["Retry-After"] = str(seconds_to_retry(looked.outcome.result))
    return response


def page_problem(request: HttpRequest, carrier: str, looked: Looked) -> HttpResponse:
    """The same pages the parcel's permalink shows for an unknown carrier, a bad number, or no parcel."""
    context: dict[str, object] = {"number": looked.number, "carrier": carrier_name(carrier), "carrier_slug": carrier}
    if looked.problem == "number":
        return render(request, "bad_number.html", {"error": "That is not a tracking number."}, status=400)
    if looked.problem == "failure" and looked.outcome and isinstance(looked.outcome.result, CarrierFailure):
        context["failure"] = failure_words(looked.outcome.result)
        response = render(request, "carrier_failure.html", context, status=looked.status)
        response["Retry-After"] = str(seconds_to_retry(looked.outcome.result))
        return response
    return render(request, "not_found.html", {**context, "reason": looked.problem}, status=404)


def cross_site(request: HttpRequest) -> bool:
    """A post sent by another site's page (browsers say so in Sec-Fetch-Site or Origin)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return origin is not None and origin != f"{request.scheme}://{request.get_host()}"


# --- the feed and the calendar entry ------------------------------------------------------------------------


def for_reader(request: HttpRequest, carrier: str, number: str) -> tuple[Parcel, LookupOutcome] | HttpResponse:
    """The parcel a feed reader or calendar asks for, as its page would be asked; else the plain answer why not."""
    try:
        charge(request, "pages", settings.RATELIMIT_PAGES)
        looked = look_up(request, carrier, number)
    except RateLimited as exc:
        return too_many_requests(request, exc.retry_after, as_json=False)
    if looked.parcel is None or looked.outcome is None:
        return plain_problem(looked)
    return looked.parcel, looked.outcome


def in_readers_language(view: View) -> View:
    """A feed or calendar answers in the language its link names (`?lang=fi`: the page's language where the visitor
    followed it), else as any page does: a feed reader or calendar sends no language cookie, and rarely its
    user's language."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        asked = request.GET.get("lang", "")
        if asked not in dict(settings.LANGUAGES):
            return view(request, *args, **kwargs)
        with translation.override(asked):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = asked
        return response

    return wrapper


@require_safe
@in_readers_language
def parcel_feed(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """The parcel's Atom feed: one entry per scan."""
    found = for_reader(request, carrier, number)
    if isinstance(found, HttpResponse):
        return found
    parcel, outcome = found
    response = ParcelFeed(parcel, timezone.now())(request)
    response["Cache-Control"] = cache_control(outcome)
    return response


@require_safe
@in_readers_language
def parcel_calendar(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """The parcel's calendar entry, for its expected (or delivered) day; 404 while no day is known."""
    found = for_reader(request, carrier, number)
    if isinstance(found, HttpResponse):
        return found
    parcel, outcome = found
    day = calendar_day(parcel)
    if day is None:
        response = HttpResponse(
            gettext("No delivery day is known for this parcel yet.") + "\n",
            content_type="text/plain; charset=utf-8",
            status=404,
        )
        response["Cache-Control"] = "no-cache"
        return response
    response = HttpResponse(calendar_document(parcel, day, timezone.now()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parcel-{parcel.tracking_number}.ics"'
    response["Cache-Control"] = cache_control(outcome)
    return response


# --- Web Push -----------------------------------------------------------------------------------------------


LOOKED_UP_ERRORS = {
    "carrier": ("unknown_carrier", "This site does not track parcels for that carrier."),
    "number": ("invalid_number", "That is not a tracking number."),
    "parcel": ("not_found", "No parcel has that number."),
    "failure": ("carrier_unavailable", "The carrier is not answering right now; try again later."),
}
CROSS_SITE = ("cross_site", "Posts from other sites are refused.")


@json_post
def follow_push(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """Store a browser's push subscription (endpoint and keys) with the parcel."""
    if cross_site(request):
        return api_error(403, *CROSS_SITE)
    if not application_server_key():
        return api_error(404, "push_unavailable", "This site sends no push notifications.")
    try:
        target = parse_push_subscription(request.body)
    except SubscriptionRefused as exc:
        return api_error(400, "bad_subscription", str(exc))
    try:
        charge(request, "follows", settings.RATELIMIT_FOLLOWS)
        looked = look_up(request, carrier, number)
    except RateLimited as exc:
        return too_many_requests(request, exc.retry_after, as_json=True)
    if looked.parcel is None:
        return api_error(looked.status, *LOOKED_UP_ERRORS[looked.problem])
    if looked.parcel.status in FINAL_STATUSES:
        return api_error(409, "parcel_finished", "This parcel's journey is over: there is nothing left to follow.")
    now = timezone.now()
    if not add_push(follow_parcel(looked.parcel, now), target, now):
        return api_error(409, "too_many_followers", "This parcel cannot take more followers.")
    logger.info("following channel=push carrier=%s number=%s", carrier, shorten_number(looked.number))
    return JsonResponse({"following": True}, status=201)


@json_post
def unfollow_push(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """Forget this browser's subscription for the parcel (the endpoint itself is the proof of ownership)."""
    if cross_site(request):
        return api_error(403, *CROSS_SITE)
    checked = valid_number(carrier, number)
    if checked.problem:
        return api_error(checked.status, *LOOKED_UP_ERRORS[checked.problem])
    try:
        endpoint = parse_push_endpoint(request.body)
    except SubscriptionRefused as exc:
        return api_error(400, "bad_subscription", str(exc))
    forget_push(carrier, checked.number, endpoint)
    return JsonResponse({"following": False})


# --- email: sign up, confirm, unsubscribe -------------------------------------------------------------------


def _email_page(
    request: HttpRequest, carrier: str, number: str, form: EmailFollowForm, **extra: object
) -> HttpResponse:
    status = int(str(extra.pop("status", 200)))
    context = {"form": form, "carrier": carrier_name(carrier), "carrier_slug": carrier, "number": number, **extra}
    return render(request, "following/email_form.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def follow_email(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """The email form (works without JavaScript); a valid post sends one confirmation link and nothing else."""
    checked = valid_number(carrier, number)
    if checked.problem:
        return page_problem(request, carrier, checked)
    if request.method != "POST":
        return _email_page(request, carrier, checked.number, EmailFollowForm())
    if cross_site(request):
        return _email_page(request, carrier, checked.number, EmailFollowForm(), status=403, refused=True)
    form = EmailFollowForm(request.POST)
    if not form.is_valid():
        return _email_page(request, carrier, checked.number, form, status=400)
    address = form.cleaned_data["email"]  # as the mail backend sends it: what is stored, hashed and limited
    try:
        charge(request, "follows", settings.RATELIMIT_FOLLOWS)
        looked = look_up(request, carrier, checked.number)
        if looked.parcel is None:
            return page_problem(request, carrier, looked)
        if looked.parcel.status in FINAL_STATUSES:
            return _email_page(request, carrier, looked.number, form, status=409, finished=True)
        charge(request, "confirmations_ip", settings.RATELIMIT_CONFIRMATIONS_IP)
    except RateLimited as exc:
        return too_many_requests(request, exc.retry_after, as_json=False)
    now = timezone.now()
    # Never refused for its address, nor for a full parcel (either answer would tell a stranger something about
    # the address): the confirmation goes when the address has room (confirmations.py), and a full parcel is
    # said to whoever follows the link (subscriptions.py).
    subscription, _created = EmailSubscription.objects.get_or_create(
        parcel=follow_parcel(looked.parcel, now),
        address_hash=mail.address_hash(address),
        defaults={
            "address": address,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "created_at": now,
            "delete_after": now + timedelta(hours=settings.FOLLOWING_CONFIRM_HOURS),
        },
    )
    if confirmation_due(subscription, now):
        # Queued: the consumer sends it, no request waits on a mail server (unless Redis, the queue, is down).
        enqueue_or_run_here(send_confirmation, subscription.pk)
    # The same answer whether the address was new, waiting for confirmation or already following.
    logger.info("following channel=email carrier=%s number=%s", carrier, shorten_number(looked.number))
    return redirect("follow_email_sent", carrier=carrier, number=looked.number)


@require_safe
def follow_email_sent(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    checked = valid_number(carrier, number)
    if checked.problem:
        return page_problem(request, carrier, checked)
    context = {"carrier": carrier_name(carrier), "carrier_slug": carrier, "number": checked.number}
    return render(request, "following/email_sent.html", {**context, "confirm_hours": settings.FOLLOWING_CONFIRM_HOURS})


def _link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "following/link_invalid.html", status=400)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners must not confirm for people); POST confirms the address."""
    key = mail.key_from_confirm_token(token)
    subscription = (
        EmailSubscription.objects.select_related("parcel").filter(key=key).first() if key is not None else None
    )
    now = timezone.now()
    if subscription is None or (subscription.confirmed_at is None and subscription.delete_after <= now):
        return _link_invalid(request)
    parcel = subscription.parcel
    context = {"carrier": carrier_name(parcel.carrier), "carrier_slug": parcel.carrier, "number": parcel.number}
    if request.method == "POST" and subscription.confirmed_at is None:
        confirmed = confirm_address(subscription, now)
        logger.info("following channel=email outcome=%s", confirmed.value)
        if confirmed is Confirmed.FULL:
            return render(request, "following/email_full.html", context, status=409)
        if confirmed is Confirmed.GONE:
            return _link_invalid(request)
        return render(request, "following/email_confirmed.html", {**context, "keep_days": mail.keep_days()})
    if subscription.confirmed_at is not None:
        return render(request, "following/email_confirmed.html", {**context, "keep_days": mail.keep_days()})
    return render(request, "following/email_confirm.html", context)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST (ours, or a mail provider's one-click) deletes the address at once."""
    key = mail.key_from_unsubscribe_token(token)
    if key is None:
        return _link_invalid(request)
    if request.method == "POST":
        deleted, _ = EmailSubscription.objects.filter(key=key).delete()
        if deleted:
            logger.info("following channel=email outcome=unsubscribed")
        return render(request, "following/email_unsubscribed.html")
    if not EmailSubscription.objects.filter(key=key).exists():
        return render(request, "following/email_unsubscribed.html")
    return render(
        request, "following/email_unsubscribe.html", {"action": reverse("follow_email_unsubscribe", args=[token])}
    )


# --- the service worker -------------------------------------------------------------------------------------


@cache
def service_worker_source() -> bytes:
    found = finders.find("js/sw.js")
    path = Path(found if isinstance(found, str) else "")
    return path.read_bytes()


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/js/sw.js served from the site root, so its scope is the whole site."""
    response = HttpResponse(service_worker_source(), content_type="text/javascript; charset=utf-8")
    # Browsers check a worker for updates on their own; no copy may hide a new one for long.
    response["Cache-Control"] = "no-cache"
    return response
