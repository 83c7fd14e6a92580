"""Health checks for load balancers and monitoring."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger("tracking_site")


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the database and the cache answer."""
    checks = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        logger.error("healthz database error=%s", type(exc).__name__)
        checks["database"] = "error"
    try:
        cache.set("healthz", "ok", timeout=5)
        if cache.get("healthz") != "ok":
            checks["cache"] = "error"
    except Exception as exc:
        logger.error("healthz cache error=%s", type(exc).__name__)
        checks["cache"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
