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

from carriers.base import shorten_number
from carriers.model import Parcel
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
from tracking_site.following.policy import FOLLOWING
from tracking_site.following.subscriptions import Confirmed, add_push, confirm_address, forget_push
from tracking_site.following.tasks import send_confirmation
from tracking_site.following.vapid import application_server_key
from tracking_site.lookup.permalink import Permalink, Problem, look_up, read_permalink
from tracking_site.presentation.failures import FAILURES, failure_words, seconds_to_retry
from tracking_site.presentation.status_words import carrier_name
from tracking_site.protection.rate_limits import RateLimited, charge, charge_numbers, too_many_requests
from tracking_site.resilience.task_queue import enqueue_or_run_here
from tracking_site.web.errors import api_error
from tracking_site.web.http_caching import cache_control

logger = logging.getLogger("tracking_site.following")
View = Callable[..., HttpResponse]


# --- finding the parcel a request is about ------------------------------------------------------------------


def status_of(link: Permalink) -> int:
    """The HTTP status of a permalink's answer: 200 with a parcel, else why not."""
    if link.failure is not None:
        return FAILURES[link.failure.reason].http_status
    return {None: 200, Problem.NUMBER: 400}.get(link.problem, 404)


def charged_look_up(request: HttpRequest, link: Permalink) -> Permalink:
    """The parcel, asked like its page asks (the visitor's number budget pays; RateLimited when spent)."""
    if link.problem is None:
        charge_numbers(request, 1)
    return look_up(link)


# What a feed reader or calendar is told when there is no parcel to show (the same sentences as the JSON's errors).
PLAIN_PROBLEMS = {
    Problem.CARRIER: gettext_lazy("This site does not track parcels for that carrier."),
    Problem.NUMBER: gettext_lazy("That is not a tracking number."),
    Problem.PARCEL: gettext_lazy("No parcel has that number."),
    Problem.FAILURE: gettext_lazy("The carrier is not answering right now; try again later."),
}


def plain_problem(link: Permalink, problem: Problem) -> HttpResponse:
    """A feed reader's or calendar's answer when there is no parcel to show."""
    response = HttpResponse(
        f"{PLAIN_PROBLEMS[problem]}\n", content_type="text/plain; charset=utf-8", status=status_of(link)
    )
    response["Cache-Control"] = "no-cache"
    if link.failure is not None:
        response["Retry-After"] = str(seconds_to_retry(link.failure))
    return response


def page_problem(request: HttpRequest, link: Permalink) -> HttpResponse:
    """The same pages the parcel's permalink shows for an unknown carrier, a bad number, or no parcel."""
    carrier = link.carrier
    context: dict[str, object] = {"number": link.number, "carrier": carrier_name(carrier), "carrier_slug": carrier}
    if link.problem is Problem.NUMBER:
        return render(request, "bad_number.html", {"error": "That is not a tracking number."}, status=400)
    if link.failure is not None:
        context["failure"] = failure_words(link.failure)
        response = render(request, "carrier_failure.html", context, status=status_of(link))
        response["Retry-After"] = str(seconds_to_retry(link.failure))
        return response
    reason = link.problem.value if link.problem else Problem.PARCEL.value
    return render(request, "not_found.html", {**context, "reason": reason}, status=404)


def cross_site(request: HttpRequest) -> bool:
    """A post sent by another site's page (browsers say so in Sec-Fetch-Site or Origin)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return origin is not None and origin != f"{request.scheme}://{request.get_host()}"


# --- the feed and the calendar entry ------------------------------------------------------------------------


def for_readers(answer: Callable[[HttpRequest, Parcel], HttpResponse]) -> Callable[..., HttpResponse]:
    """A feed reader's or calendar's view of `answer`: the parcel asked as its page would be asked, else the plain
    answer why not; a parcel's answer may be kept by caches while the parcel is fresh."""

    @require_safe
    @functools.wraps(answer)
    def view(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
        try:
            charge(request, "pages")
            link = charged_look_up(request, read_permalink(carrier, number))
        except RateLimited as exc:
            return too_many_requests(request, exc.retry_after, as_json=False)
        if link.parcel is None or link.outcome is None:
            return plain_problem(link, link.problem or Problem.PARCEL)
        response = answer(request, link.parcel)
        if response.status_code == 200:
            response["Cache-Control"] = cache_control(link.outcome)
        return response

    return view


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


@in_readers_language
@for_readers
def parcel_feed(request: HttpRequest, parcel: Parcel) -> HttpResponse:
    """The parcel's Atom feed: one entry per scan."""
    return ParcelFeed(parcel, timezone.now())(request)


@in_readers_language
@for_readers
def parcel_calendar(request: HttpRequest, parcel: Parcel) -> HttpResponse:
    """The parcel's calendar entry, for its expected (or delivered) day; 404 while no day is known."""
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
    return response


# --- Web Push -----------------------------------------------------------------------------------------------


LOOKED_UP_ERRORS = {
    Problem.CARRIER: ("unknown_carrier", PLAIN_PROBLEMS[Problem.CARRIER]),
    Problem.NUMBER: ("invalid_number", PLAIN_PROBLEMS[Problem.NUMBER]),
    Problem.PARCEL: ("not_found", PLAIN_PROBLEMS[Problem.PARCEL]),
    Problem.FAILURE: ("carrier_unavailable", PLAIN_PROBLEMS[Problem.FAILURE]),
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
        charge(request, "follows")
        link = charged_look_up(request, read_permalink(carrier, number))
    except RateLimited as exc:
        return too_many_requests(request, exc.retry_after, as_json=True)
    if link.parcel is None:
        return api_error(status_of(link), *LOOKED_UP_ERRORS[link.problem or Problem.PARCEL])
    if link.parcel.status in FINAL_STATUSES:
        return api_error(409, "parcel_finished", "This parcel's journey is over: there is nothing left to follow.")
    now = timezone.now()
    if not add_push(follow_parcel(link.parcel, now), target, now):
        return api_error(409, "too_many_followers", "This parcel cannot take more followers.")
    logger.info("following channel=push carrier=%s number=%s", carrier, shorten_number(link.number))
    return JsonResponse({"following": True}, status=201)


@json_post
def unfollow_push(request: HttpRequest, carrier: str, number: str) -> HttpResponse:
    """Forget this browser's subscription for the parcel (the endpoint itself is the proof of ownership)."""
    if cross_site(request):
        return api_error(403, *CROSS_SITE)
    checked = read_permalink(carrier, number)
    if checked.problem:
        return api_error(status_of(checked), *LOOKED_UP_ERRORS[checked.problem])
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
    checked = read_permalink(carrier, number)
    if checked.problem:
        return page_problem(request, checked)
    if request.method != "POST":
        return _email_page(request, carrier, checked.number, EmailFollowForm())
    if cross_site(request):
        return _email_page(request, carrier, checked.number, EmailFollowForm(), status=403, refused=True)
    form = EmailFollowForm(request.POST)
    if not form.is_valid():
        return _email_page(request, carrier, checked.number, form, status=400)
    address = form.cleaned_data["email"]  # as the mail backend sends it: what is stored, hashed and limited
    try:
        charge(request, "follows")
        looked = charged_look_up(request, checked)
        if looked.parcel is None:
            return page_problem(request, looked)
        if looked.parcel.status in FINAL_STATUSES:
            return _email_page(request, carrier, looked.number, form, status=409, finished=True)
        charge(request, "confirmations_ip")
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
            "delete_after": now + timedelta(hours=FOLLOWING.current().confirm_hours),
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
    checked = read_permalink(carrier, number)
    if checked.problem:
        return page_problem(request, checked)
    context = {"carrier": carrier_name(carrier), "carrier_slug": carrier, "number": checked.number}
    return render(request, "following/email_sent.html", {**context, "confirm_hours": FOLLOWING.current().confirm_hours})


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
