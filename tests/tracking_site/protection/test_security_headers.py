"""Security headers, production settings, and pages free of inline script and style."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from carriers.model import Status
from tests.tracking_site.conftest import make_parcel

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-only-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "track.example.com",
    "SITE_URL": "https://track.example.com",
    "TRACKING_DEMO": "0",
    "POSTPLUS_API_KEY": "test-only-key",
    "REDIS_URL": "",
}


def run_with_production_settings(code: str) -> subprocess.CompletedProcess[str]:
    # Start from a clean slate: no DJANGO_* variable another test (or the developer's shell) left behind.
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env = {**inherited, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "tracking_site.settings"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=settings.BASE_DIR, timeout=120
    )


@pytest.fixture
def pages(client, carriers):
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel("nzpost", "CL092594238NZ", Status.DELIVERED, "Delivered")
    return {
        "home": client.get("/"),
        "results": client.get("/track/", {"q": "CL092594238NZ CL000000000NZ"}),
        "parcel": client.get("/track/nzpost/CL092594238NZ/"),
        "not_found": client.get("/track/nzpost/CL000000000NZ/"),
        "bad_number": client.get("/track/nzpost/AB/"),
        "api": client.get("/api/v1/parcels/nzpost/CL092594238NZ"),
        "unknown_url": client.get("/no/such/page"),
    }


def test_every_answer_carries_a_strict_content_security_policy(pages):
    for name, response in pages.items():
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp, name
        assert "frame-ancestors 'none'" in csp, name
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name
        assert "http" not in csp, name  # no third-party origins


def test_every_answer_sets_referrer_nosniff_and_frame_headers(pages):
    for name, response in pages.items():
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer"), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["X-Frame-Options"] == "DENY", name


def test_pages_have_no_inline_script_or_style(pages):
    for name, response in pages.items():
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
            assert "<style" not in html, name
            assert not re.search(r"\sstyle=", html), name
            assert not re.search(r"\son[a-z]+=", html), name


def test_manage_check_deploy_is_clean_under_production_settings():
    result = run_with_production_settings(
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_fails_without_a_real_secret_key():
    env_code = (
        "import os; os.environ['DJANGO_SECRET_KEY'] = ''; import django; django.setup(); "
        "from django.core.management import call_command; call_command('check', deploy=True)"
    )
    result = run_with_production_settings(env_code)
    assert result.returncode != 0
    assert "tracking_site.E001" in result.stderr


def test_production_sends_hsts_and_secure_cookies():
    result = run_with_production_settings(
        "import django, json; django.setup(); from django.conf import settings as s; from django.test import Client; "
        "r = Client().get('/healthz', secure=True, HTTP_HOST='track.example.com'); "
        "print(json.dumps({'hsts': r.get('Strict-Transport-Security', ''), 'session': s.SESSION_COOKIE_SECURE, "
        "'csrf': s.CSRF_COOKIE_SECURE, 'debug': s.DEBUG, "
        "'redirect': Client().get('/', HTTP_HOST='track.example.com').status_code}))"
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["hsts"].startswith("max-age=31536000")
    assert seen["session"] is True and seen["csrf"] is True and seen["debug"] is False
    assert seen["redirect"] == 301  # plain HTTP goes to HTTPS
