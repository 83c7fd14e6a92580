"""The site's carrier clients: built from settings, the demo fakes loaded only in demo mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from carriers.model import Status
from tracking_site.lookup.clients import get_carriers
from tracking_site.postplus_feed.store import postplus_api

ROOT = Path(__file__).resolve().parents[3]


def test_the_site_with_real_carriers_never_loads_the_demo_fakes():
    program = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.test import Client\n"
        "from tracking_site.lookup.clients import get_carriers\n"
        "call_command('check', verbosity=0)\n"
        "assert sorted(get_carriers()) == ['dhl-ecommerce', 'nzpost', 'postplus'], get_carriers()\n"
        "assert Client().get('/').status_code == 200\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('carriers.fakes') or m == 'carriers.demo')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "TRACKING_DEMO": "0",
        "POSTPLUS_API_KEY": "a-key",
        "DHL_ECOMMERCE_CLIENT_ID": "an-id",
        "DHL_ECOMMERCE_CLIENT_SECRET": "a-secret",
        "NZPOST_CLIENT_ID": "an-id",
        "NZPOST_CLIENT_SECRET": "a-secret",
    }
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_in_demo_mode_every_carrier_runs_over_the_fakes(settings):
    settings.TRACKING_DEMO = True
    assert sorted(get_carriers()) == ["dhl-ecommerce", "nzpost", "postplus"]
    assert "demo" in str(get_carriers()["nzpost"].base_url)  # type: ignore[attr-defined]


def test_the_sites_postplus_client_maps_statuses_through_postplus_code_list(settings):
    settings.TRACKING_DEMO = True
    api = postplus_api(get_carriers()["postplus"])
    assert api is not None
    assert api.code_statuses()["AT_PICKUP_POINT"] is Status.AWAITING_PICKUP
