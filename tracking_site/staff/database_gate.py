"""Staff pages need the database: when it refuses or hangs, a clear 503 page at once, never a traceback.

Before a staff page starts, the database is asked (web/health's shared check, HEALTH_CHECK_SECONDS); during
the page, each query gets STAFF_QUERY_SECONDS (web/database_deadline), and a database that fails midway is
the same 503 page. Public pages are not gated: they are not to wait on the database at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from tracking_site.tuning import DATABASE
from tracking_site.web.database_deadline import query_deadline
from tracking_site.web.errors import is_database_failure
from tracking_site.web.health import database_probe

logger = logging.getLogger("tracking_site.staff")


def database_unavailable_page(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After; the page itself touches no database (it shows no signed-in user)."""
    retry_after = DATABASE.current().retry_after_seconds
    response = render(request, "staff/database_unavailable.html", {"retry_after": retry_after}, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class StaffDatabaseGate:
    """Let a staff request in only while the database answers, and bound its queries while it runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._is_staff(request):
            return self.get_response(request)
        if not database_probe.answers(DATABASE.current().health_check_seconds):
            logger.error("staff page refused: the database does not answer")
            return database_unavailable_page(request)
        with query_deadline(DATABASE.current().staff_query_deadline):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (self._is_staff(request) and is_database_failure(exception)):
            return None
        logger.error("staff page failed: database error=%s", type(exception).__name__)
        return database_unavailable_page(request)

    def _is_staff(self, request: HttpRequest) -> bool:
        if self._prefix is None:
            self._prefix = reverse("staff_index")
        return request.path.startswith(self._prefix)
