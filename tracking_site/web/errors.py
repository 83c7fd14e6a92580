"""Error answers: JSON on every path under /api/, the site's own pages elsewhere; never a traceback.

Django's error handlers (urls.py's handler400/403/404/500) answer exceptions. ErrorAnswersMiddleware covers
what no handler sees: on /api/ paths an error answer built as HTML or plain text (require_safe's 405, the CSRF
failure view, DEBUG's technical pages) becomes the API's JSON error with the same status and headers; and a
database that fails under a view is a 503 with Retry-After (the site can answer, the database cannot).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from tracking_site.tuning import DATABASE

logger = logging.getLogger("tracking_site.web.errors")

API_PREFIX = "/api/"

# The API's code and message for the errors Django itself (not our views) answers.
GENERIC_API_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    403: ("forbidden", "This request is not allowed."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address answers GET and HEAD only."),
    413: ("request_too_large", "The request is too large."),
    500: ("server_error", "Something went wrong on our side. Please try again in a minute."),
}
DATABASE_UNAVAILABLE = ("database_unavailable", "The database is not answering. Please try again in a minute.")
# Lost in translation from an HTML error: the body's own description of itself.
_REPLACED_HEADERS = {"content-type", "content-length", "content-language"}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, code: str, message: str, *, retry_after: int | None = None) -> JsonResponse:
    """The API's error answer: {"error": {"code", "message"}}, with Retry-After when there is a time to say."""
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def generic_api_error(status: int) -> JsonResponse:
    code, message = GENERIC_API_ERRORS.get(status, ("error", HTTPStatus(status).phrase))
    return api_error(status, code, message)


def is_database_failure(exc: BaseException | None) -> bool:
    """The database refused, dropped or timed out (not a bug in a query: those stay 500s, and are logged)."""
    return isinstance(exc, OperationalError | InterfaceError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON on the API, a page elsewhere."""
    retry_after = DATABASE.current().retry_after_seconds
    if is_api(request):
        return api_error(503, *DATABASE_UNAVAILABLE, retry_after=retry_after)
    response = render(request, "503.html", {"retry_after": retry_after}, status=503)
    response["Retry-After"] = str(retry_after)
    return response


# --- Django's error handlers (urls.py) ------------------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return generic_api_error(400) if is_api(request) else defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return generic_api_error(403) if is_api(request) else defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return generic_api_error(404) if is_api(request) else defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when what failed was the database (Django calls this inside its `except`)."""
    if is_database_failure(sys.exc_info()[1]):
        return database_unavailable(request)
    return generic_api_error(500) if is_api(request) else defaults.server_error(request)


class ErrorAnswersMiddleware:
    """JSON errors on the API whoever built them; a failing database under a view is a 503, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400 and not _is_json(response):
            return _as_api_error(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_failure(exception):
            return None
        logger.error("database unavailable error=%s", type(exception).__name__)
        return database_unavailable(request)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


def _as_api_error(response: HttpResponse) -> HttpResponse:
    replacement = generic_api_error(response.status_code)
    for name, value in response.headers.items():
        if name.lower() not in _REPLACED_HEADERS:
            replacement[name] = value
    for name, cookie in response.cookies.items():
        replacement.cookies[name] = cookie
    return replacement
