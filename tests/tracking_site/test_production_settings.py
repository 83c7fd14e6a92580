"""Production settings of the edges: SITE_URL required and well formed, the language cookie HTTPS-only and
same-site, PostgreSQL given connect and statement timeouts."""

from __future__ import annotations

import json

import pytest

from tests.tracking_site.protection.test_security_headers import run_with_production_settings
from tracking_site.checks import site_url_problems


def test_check_deploy_fails_without_site_url():
    result = run_with_production_settings(
        "import os; os.environ['SITE_URL'] = ''; import django; django.setup(); "
        "from django.core.management import call_command; call_command('check', deploy=True)"
    )
    assert result.returncode != 0
    assert "tracking_site.E002" in result.stderr


@pytest.mark.parametrize(
    ("site_url", "problem"),
    [
        ("track.example.com", "tracking_site.E003"),
        ("https://track.example.com/parcels", "tracking_site.E003"),
        ("https://track.example.com?x=1", "tracking_site.E003"),
        ("http://track.example.com", "tracking_site.E004"),
        ("https://track.example.com", None),
        ("https://track.example.com:8443", None),
    ],
)
def test_site_url_must_be_an_https_scheme_and_host(site_url, problem):
    assert [message.id for message in site_url_problems(site_url)] == ([problem] if problem else [])


def printed_under_production_settings(environment: dict[str, str], expression: str):
    """The JSON value of `expression` (Django set up, `settings` and `Client` at hand) in a production process."""
    result = run_with_production_settings(
        f"import os, json; os.environ.update({environment!r}); import django; django.setup(); "
        "from django.conf import settings; from django.test import Client; "
        f"print(json.dumps({expression}))"
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_language_cookie_is_https_only_same_site_and_out_of_scripts_reach():
    cookie = printed_under_production_settings(
        {},
        "(lambda c: {'value': c.value, 'secure': bool(c['secure']), 'samesite': c['samesite'], "
        "'httponly': bool(c['httponly'])})(Client().post('/i18n/setlang/', {'language': 'nl', 'next': '/'}, "
        "secure=True, HTTP_HOST='track.example.com').cookies['django_language'])",
    )
    assert cookie == {"value": "nl", "secure": True, "samesite": "Lax", "httponly": True}


DATABASE_OPTIONS = "settings.DATABASES['default']['OPTIONS']"


def test_postgresql_gets_connect_statement_and_network_timeouts():
    environment = {
        "DATABASE_URL": "postgres://u@db.example:5432/track",
        "TRACKING_TUNING": "database.connect_timeout_seconds=4 database.statement_timeout_seconds=2.5",
    }
    options = printed_under_production_settings(environment, DATABASE_OPTIONS)
    assert options["connect_timeout"] == 4
    assert options["options"] == "-c statement_timeout=2500"
    assert options["tcp_user_timeout"] == 4000
    assert options["keepalives"] == 1


def test_the_timeouts_have_safe_defaults_and_keep_options_given_in_the_url():
    url = "postgres://u@db.example:5432/track?options=-c%20search_path%3Dtrack"
    options = printed_under_production_settings({"DATABASE_URL": url}, DATABASE_OPTIONS)
    assert options["connect_timeout"] == 3
    assert options["options"] == "-c search_path=track -c statement_timeout=10000"
