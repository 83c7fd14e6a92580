"""The answers of following's JSON endpoints (push sign-up and stop): every one JSON, errors included.

They live beside the parcel pages, not under /api/, so the site's error pages would otherwise answer their
wrong methods, oversized bodies and database failures in HTML, which the page's script cannot read.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from tracking_site.following.forms import MAX_SUBSCRIPTION_BYTES
from tracking_site.tuning import DATABASE
from tracking_site.web.errors import DATABASE_UNAVAILABLE, api_error, is_database_failure

logger = logging.getLogger("tracking_site.following")

View = Callable[..., HttpResponse]


def too_long() -> JsonResponse:
    return api_error(400, "bad_subscription", "the request is too long")


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def json_post(view: View) -> View:
    """A POST endpoint that answers JSON whatever happens: a wrong method (405), a body too long to be a
    subscription (400, refused before it is read), a database that fails (503 with Retry-After).

    It takes no CSRF token (views.py says why); the view refuses cross-site posts itself.
    """

    @functools.wraps(view)
    def answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method != "POST":
            response = api_error(405, "method_not_allowed", "This address answers POST only.")
            response["Allow"] = "POST"
            return response
        if declared_length(request) > MAX_SUBSCRIPTION_BYTES:
            return too_long()
        try:
            return view(request, *args, **kwargs)
        except RequestDataTooBig:  # a body that did not say its length
            return too_long()
        except Exception as exc:
            if not is_database_failure(exc):
                raise
            logger.error("following outcome=database_unavailable error=%s", type(exc).__name__)
            return api_error(503, *DATABASE_UNAVAILABLE, retry_after=DATABASE.current().retry_after_seconds)

    return csrf_exempt(answer)
