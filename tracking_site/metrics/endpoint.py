"""`/metrics`: the Prometheus exposition of every worker's instruments, for allowed addresses only.

Not public: anyone else gets the site's 404, whatever the method, as if there were nothing here. The address is
the client's as rate limits see it (TRUSTED_PROXY_COUNT), so a request through our own proxy is not mistaken for
a local one.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tracking_site.protection.rate_limits import client_ip

logger = logging.getLogger("tracking_site.metrics")


def is_allowed(address: str) -> bool:
    """Whether `address` is one of METRICS_ALLOWED_IPS (addresses or networks)."""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.METRICS_ALLOWED_IPS:
        try:
            if client in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            logger.warning("metrics outcome=bad_allowed_entry")
    return False


@csrf_exempt  # nothing here changes state; and CSRF's 403 would tell a stranger something answers here
def metrics(request: HttpRequest) -> HttpResponse:
    """The exposition for allowed addresses; the site's 404 to anyone else, whatever the method."""
    if not is_allowed(client_ip(request)):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if settings.PROMETHEUS_MULTIPROC_DIR:  # gunicorn: every worker's values, added up
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry = REGISTRY
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    patch_cache_control(response, private=True, no_store=True)
    return response
