"""Per-client rate limits (django-ratelimit counters in the shared cache), and who the client is.

Two budgets per client IP: requests per view group, and tracking numbers looked up. Every number
costs the same whether it is found or not, so probing for numbers is as expensive as tracking them.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from tracking_site.tuning import Rate, Section

logger = logging.getLogger("tracking_site.protection.rate_limits")


@dataclass(frozen=True)
class RateLimits:
    """Requests per client IP, per view group, and tracking numbers looked up (tuning section `rate_limits`)."""

    enabled: bool = True  # off only where a load generator is the only client (the benchmarks); never in production
    search: Rate = "30/m"
    pages: Rate = "60/m"
    api: Rate = "60/m"
    numbers: Rate = "300/h"  # tracking numbers looked up per client, found or not
    staff_login: Rate = "10/m"
    follows: Rate = "5/h"  # follows (push or email) per client IP, on top of `numbers` (a follow costs one number)
    confirmations_ip: Rate = "5/h"  # confirmation emails per client IP
    # Unconfirmed confirmations per email address, whoever asks (beyond it a confirmation waits for room).
    confirmations_address: Rate = "3/d"


RATE_LIMITS = Section("rate_limits", RateLimits)
Group = Literal["search", "pages", "api", "numbers", "staff_login", "follows", "confirmations_ip"]


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = max(retry_after, 1)


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the outermost of TRUSTED_PROXY_COUNT proxies saw.

    X-Forwarded-For is only read when proxies are configured, and then only the entry our own
    outermost proxy appended: entries further left are whatever the client chose to send.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - a key, not a bind address
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def charge(request: HttpRequest, group: Group, cost: int = 1, *, key: str = "") -> None:
    """Spend `cost` units of the client's budget for `group` (its rate: tuning's rate_limits); RateLimited when
    it is spent. The budget is the client IP's, or `key`'s when given (e.g. a keyed hash of an email address).
    """
    limits = RATE_LIMITS.current()
    if not limits.enabled:
        return
    rate = getattr(limits, group)
    usage: dict[str, Any] | None = None
    for _ in range(max(cost, 1)):
        usage = get_usage(
            request, group=group, key=(lambda _group, _request: key) if key else "ip", rate=rate, increment=True
        )
    if usage and usage["should_limit"]:
        logger.info("rate_limited group=%s", group)
        raise RateLimited(int(usage["time_left"]))


def charge_numbers(request: HttpRequest, count: int) -> None:
    charge(request, "numbers", cost=count)


def too_many_requests(request: HttpRequest, retry_after: int, *, as_json: bool) -> HttpResponse:
    """The 429 answer: a page for people, a JSON error for programs; both say when to retry."""
    response: HttpResponse
    if as_json:
        response = JsonResponse(
            {
                "error": {
                    "code": "rate_limited",
                    "message": "Too many requests. Try again later.",
                    "retry_after": retry_after,
                }
            },
            status=429,
        )
    else:
        response = render(request, "rate_limited.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(
    group: Group, *, as_json: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view to its group's requests per client; RateLimited anywhere inside → 429."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                charge(request, group)
                return view(request, *args, **kwargs)
            except RateLimited as exc:
                return too_many_requests(request, exc.retry_after, as_json=as_json)

        return wrapper

    return decorate
