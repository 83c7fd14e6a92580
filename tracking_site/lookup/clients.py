"""The process's carrier clients, built once from settings (one pooled httpx client per carrier)."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from carriers.base import CarrierClient
from carriers.registry import CarrierConfig, build_carriers
from tracking_site.postplus_feed.event_codes import extra_code_statuses
from tracking_site.shared_state.call_budget import reserve_from_settings
from tracking_site.shared_state.token_store import CacheTokenStore

_lock = threading.Lock()
_carriers: dict[str, CarrierClient] | None = None


def carrier_config_from_settings() -> CarrierConfig:
    return CarrierConfig(
        postplus_api_key=settings.POSTPLUS_API_KEY,
        postplus_base_url=settings.POSTPLUS_BASE_URL,
        dhl_client_id=settings.DHL_ECOMMERCE_CLIENT_ID,
        dhl_client_secret=settings.DHL_ECOMMERCE_CLIENT_SECRET,
        dhl_base_url=settings.DHL_ECOMMERCE_BASE_URL,
        dhl_pickup=settings.DHL_ECOMMERCE_PICKUP,
        nzpost_client_id=settings.NZPOST_CLIENT_ID,
        nzpost_client_secret=settings.NZPOST_CLIENT_SECRET,
        nzpost_base_url=settings.NZPOST_BASE_URL,
        nzpost_token_url=settings.NZPOST_TOKEN_URL,
    )


def carriers_from_settings() -> dict[str, CarrierClient]:
    """The carriers settings enable: the real APIs, or in demo mode the built-in fakes."""
    token_store = CacheTokenStore()
    if settings.TRACKING_DEMO:
        from carriers.demo import build_demo_carriers  # demo mode only: production never loads the fakes

        # The demo's in-process fakes have no rate to respect; real carriers share one budget.
        latency = getattr(settings, "TRACKING_DEMO_LATENCY", 0.0)
        return build_demo_carriers(latency, token_store=token_store, postplus_code_statuses=extra_code_statuses)
    return build_carriers(
        carrier_config_from_settings(),
        token_store=token_store,
        reserve=reserve_from_settings(),
        postplus_code_statuses=extra_code_statuses,
    )


def get_carriers() -> dict[str, CarrierClient]:
    """The enabled carriers, keyed by slug."""
    global _carriers
    if _carriers is None:
        with _lock:
            if _carriers is None:
                _carriers = with_feed_backed_postplus(carriers_from_settings())
    return _carriers


def with_feed_backed_postplus(carriers: dict[str, CarrierClient]) -> dict[str, CarrierClient]:
    """PostPlus answered from the stored event feed while it is fresh, the API otherwise."""
    from tracking_site.postplus_feed.store import (  # imports the models: only once apps are ready
        FeedBackedPostPlus,
        postplus_api,
    )

    api = postplus_api(carriers.get("postplus"))
    if api is not None and not isinstance(carriers["postplus"], FeedBackedPostPlus):
        carriers["postplus"] = FeedBackedPostPlus(api)
    return carriers


def install_carriers(carriers: dict[str, CarrierClient] | None) -> None:
    """Replace the process's carriers (tests inject fakes this way; None rebuilds from settings)."""
    global _carriers
    with _lock:
        _carriers = carriers


@receiver(setting_changed)
def _rebuild_on_settings_change(*, setting: str, **kwargs: object) -> None:
    if setting.startswith(("TRACKING_", "POSTPLUS_", "DHL_", "NZPOST_", "CARRIER_RATE_")):
        install_carriers(None)
