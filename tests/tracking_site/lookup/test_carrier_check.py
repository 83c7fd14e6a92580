"""The go-live check, `manage.py check_carriers`, against the fake carriers: ready ones pass, broken ones fail
clearly, and nothing private, no key and no token is ever printed."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carriers.demo import demo_config
from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.fakes import nzpost as fake_nzpost
from carriers.fakes import postplus as fake_postplus
from carriers.registry import build_carriers
from tests.tracking_site.planted import MARKER_DIGITS, MARKER_PREFIX
from tests.tracking_site.published_samples import (
    PUBLISHED_NUMBERS,
    planted_published_records,
    published_fakes,
)
from tracking_site.lookup.carrier_check import PUBLISHED_NUMBERS as CHECKED_SAMPLES
from tracking_site.lookup.carrier_check import printable
from tracking_site.lookup.clients import install_carriers

pytestmark = pytest.mark.django_db

SECRETS = [
    fake_postplus.DEMO_API_KEY,
    fake_postplus.DEMO_INTEGRATION_KEY,
    fake_dhl.DEMO_CLIENT_SECRET,
    fake_nzpost.DEMO_CLIENT_SECRET,
]


def check(*args: str) -> tuple[str, bool]:
    """The command's output, and whether it passed (a CommandError: exit status 1)."""
    out = io.StringIO()
    try:
        call_command("check_carriers", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue() + f"\n{exc}", False
    return out.getvalue(), True


def section(output: str, name: str) -> str:
    """One carrier's lines of the output (a carrier's block starts at its unindented name)."""
    return next(block for block in re.split(r"\n(?=\S)", output) if block.startswith(f"{name} at "))


class Rewriting(httpx.BaseTransport):
    """A fake carrier whose JSON answers (and token answers) pass through `rewrite(path, body)`; keeps every
    access token it handed out, so tests can look for them in the output."""

    def __init__(self, app: Any, rewrite: Callable[[str, Any], Any] = lambda path, body: body) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.rewrite = rewrite
        self.tokens: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        content = response.read()
        try:
            body = json.loads(content)
        except ValueError:
            return response
        if isinstance(body, dict) and isinstance(body.get("access_token"), str):
            self.tokens.append(body["access_token"])
        rewritten = self.rewrite(request.url.path, body)
        content = rewritten if isinstance(rewritten, bytes) else json.dumps(rewritten).encode()
        return httpx.Response(response.status_code, content=content, headers={"Content-Type": "application/json"})


def install(transports: dict[str, httpx.BaseTransport], **config: Any) -> None:
    """The real clients over `transports`, with the demo's credentials unless `config` changes them."""
    install_carriers(build_carriers(replace(demo_config(), **config), transports=transports))


def test_the_demo_carriers_are_ready_with_their_published_samples():
    output, passed = check("--published")

    assert passed, output
    assert output.count("  reachable: yes") == 3
    assert "authorised: yes (event codes read: 14)" in output
    assert "authorised: yes (token fetched, lives 3599 s)" in output  # DHL eCommerce
    assert "authorised: yes (token fetched, lives 86399 s)" in output  # NZ Post's published lifetime
    for slug, numbers in CHECKED_SAMPLES.items():
        for number in numbers:
            assert f"  {number}: found (answer shape recognised)" in output, (slug, number)
    # Dates and zones as read: DHL's scan in its own zone, NZ Post's and PostPlus's in UTC.
    assert "2020-02-10T15:50:39-05:00 EST · info_received · code 132" in output
    assert "2015-03-23T17:04:08+00:00 UTC · info_received · code 13" in output
    assert "2024-04-04T04:04:00+00:00 UTC · delivered · code DELIVERED" in output
    assert "expected_delivery: 2019-12-25 · service: DHL SM Parcel Ground" in output
    assert output.count("fields not understood: none") == 3
    assert "call budget: 5 calls a second (CARRIER_RATE_POSTPLUS; PostPlus publishes 5)" in output
    assert "call budget: 10 calls a second (CARRIER_RATE_DHL_ECOMMERCE; no published limit)" in output
    assert "call budget: 15 calls a second (CARRIER_RATE_NZPOST; NZ Post publishes 15)" in output
    assert "All 3 carrier(s) checked are ready." in output


def test_the_published_numbers_it_offers_are_the_ones_the_fakes_serve():
    for slug, numbers in CHECKED_SAMPLES.items():
        assert set(numbers) <= set(PUBLISHED_NUMBERS[slug]), slug


def test_without_numbers_it_signs_in_to_each_carrier_with_one_call():
    output, passed = check()

    assert passed, output
    assert output.count("  calls made: 1") == 3
    assert "found" not in output


def test_the_numbers_given_go_to_the_carriers_that_could_have_issued_them():
    output, passed = check("CL092594238NZ", "v4-test-1581367640092")

    assert passed, output
    nzpost, dhl, postplus = (section(output, name) for name in ("NZ Post", "DHL eCommerce", "PostPlus"))
    assert "CL092594238NZ: found" in nzpost and "V4-TEST-1581367640092: found" in dhl
    assert "CL092594238NZ" not in dhl and "V4-TEST-1581367640092" not in nzpost
    # Either could be PostPlus's too: it was asked, and its "not found" is no problem when another carrier found it.
    assert "CL092594238NZ: not found" in postplus and "V4-TEST-1581367640092: not found" in postplus


def test_only_the_carriers_named_are_checked():
    output, passed = check("--carrier", "nzpost", "--published")

    assert passed, output
    assert "NZ Post at nzpost.demo" in output
    assert "PostPlus" not in output and "DHL eCommerce" not in output
    assert "All 1 carrier(s) checked are ready." in output


def test_a_number_no_carrier_finds_and_one_no_carrier_issues_fail_the_check():
    output, passed = check("LZ999999999NZ", "not a number!")

    assert not passed
    assert "LZ999999999NZ: not found by any carrier asked" in output
    assert "not a number!: no carrier checked issues numbers of this shape" in output
    assert "not ready to go live" in output


def test_refused_credentials_are_not_authorised_and_never_printed():
    transports = {
        "postplus": Rewriting(fake_postplus.FakePostPlus()),
        "dhl-ecommerce": Rewriting(fake_dhl.FakeDhlEcommerce()),
        "nzpost": Rewriting(fake_nzpost.FakeNzPost()),
    }
    wrong = {
        "postplus_api_key": "wrong-key-PRIVMARKKEY",
        "dhl_client_secret": "wrong-secret-PRIVMARKDHL",
        "nzpost_client_secret": "wrong-secret-PRIVMARKNZ",
    }
    install(transports, **wrong)

    output, passed = check("--published")

    assert not passed
    assert output.count("  authorised: no") == 3
    assert "PostPlus: not authorised: HTTP 401: the PostPlus API key was refused" in output
    assert "DHL eCommerce: not authorised: the carrier refused our credentials" in output
    assert "NZ Post: not authorised: the carrier refused our credentials" in output
    assert MARKER_PREFIX not in output
    assert not any(secret in output for secret in SECRETS)


def test_an_unreachable_carrier_is_said_so_and_its_numbers_are_not_asked():
    asked: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    install({"nzpost": httpx.MockTransport(refuse)})

    output, passed = check("--carrier", "nzpost", "--published")

    assert not passed
    assert "  reachable: no (could not reach the carrier)" in output
    assert "NZ Post: not reachable: could not reach the carrier" in output
    assert len(asked) == 1  # the token fetch; no lookup after it


def test_a_token_endpoint_answering_errors_is_reachable_but_not_known_to_let_us_in():
    install({"nzpost": httpx.MockTransport(lambda request: httpx.Response(503))})

    output, passed = check("--carrier", "nzpost")

    assert not passed
    assert "  reachable: yes\n  authorised: not known (HTTP 503)" in output


def test_a_carrier_failing_its_lookups_fails_the_check_with_the_reason():
    install({"dhl-ecommerce": Rewriting(fake_dhl.FakeDhlEcommerce(fail_with=503))})

    output, passed = check("--carrier", "dhl-ecommerce", "--published")

    assert not passed
    dhl = section(output, "DHL eCommerce")
    assert "authorised: yes" in dhl  # the token endpoint answered; the tracking endpoint did not
    assert "V4-TEST-1581367640092: the carrier could not be reached or answered with an error" in dhl


def wrap_postplus_answers(path: str, body: Any) -> Any:
    # An answer shape PostPlus never published: the parcels inside an object.
    return {"parcels": body} if path == fake_postplus.PARCEL_NRS_PATH else body


def unreadable_dhl_scans(path: str, body: Any) -> Any:
    if path == fake_dhl.TRACKING_PATH and isinstance(body, dict):
        for package in body.get("packages", []):
            package["package"]["expectedDelivery"] = "Christmas"
            for event in package["events"]:
                event["timeZone"] = "XST"
                event["primaryEventId"] = 13.5
                event["primaryEventDescription"] = event["secondaryEventDescription"] = "EN ROUTE\x9b31m TO DHL"
    return body


def nzpost_unreadable_json(path: str, body: Any) -> Any:
    return b'{"success": true, "results": [' if path == fake_nzpost.PARCELS_PATH else body


@pytest.mark.parametrize(
    ("slug", "name", "fake", "rewrite", "expected"),
    [
        (
            "postplus",
            "PostPlus",
            fake_postplus.FakePostPlus,
            wrap_postplus_answers,
            ["PARCEL-NR-1: found (answer shape NOT recognised)", "fields not understood: $ (object)"],
        ),
        (
            "dhl-ecommerce",
            "DHL eCommerce",
            fake_dhl.FakeDhlEcommerce,
            unreadable_dhl_scans,
            [
                "V4-TEST-1581367640092: found (answer shape recognised)",
                "fields not understood: packages[].events[].timeZone (string), "
                "packages[].events[].primaryEventId (number), packages[].package.expectedDelivery (string)",
                # Read where it could be: the scan kept, in UTC for want of a zone, its text printable.
                '2020-02-10T15:50:39+00:00 UTC · in_transit · code 13.5 · "EN ROUTE\\x9b31m TO DHL"',
            ],
        ),
        (
            "nzpost",
            "NZ Post",
            fake_nzpost.FakeNzPost,
            nzpost_unreadable_json,
            ["CL092594238NZ: answer shape not recognised"],
        ),
    ],
)
def test_a_carrier_answering_in_a_broken_shape_fails_the_check_and_says_where(slug, name, fake, rewrite, expected):
    install({slug: Rewriting(fake(), rewrite)})

    output, passed = check("--carrier", slug, "--published")

    assert not passed
    part = section(output, name)
    assert "authorised: yes" in part and "NOT READY" in part
    for line in expected:
        assert line in part, line


def test_it_prints_the_public_model_only_never_a_marker_a_key_or_a_token(caplog):
    fakes = published_fakes(planted_published_records())
    transports = {slug: Rewriting(app) for slug, app in fakes.items()}
    install(transports)

    numbers = [number for slug_numbers in PUBLISHED_NUMBERS.values() for number in slug_numbers]
    output, _ = check(*numbers)

    tokens = [token for transport in transports.values() for token in transport.tokens]
    assert len(tokens) == 2  # DHL eCommerce's and NZ Post's
    assert output.count("answer shape recognised") >= len(numbers)
    assert "signed: yes" in output  # the fact, never the name
    everything = output + "\n".join(record.getMessage() for record in caplog.records)
    for leak in [MARKER_PREFIX, MARKER_DIGITS, *SECRETS, *tokens, "Jess", "Lee Child", "Joe Bloggs", "Norcross"]:
        assert leak not in everything, leak


@pytest.mark.parametrize(
    ("rates", "problem"),
    [
        ({"postplus": 0}, "PostPlus: no call budget: CARRIER_RATE_POSTPLUS is 0, so the site would call without limit"),
        ({"nzpost": 20}, "NZ Post: call budget 20 a second is above the 15 NZ Post publishes"),
    ],
)
def test_a_call_budget_switched_off_or_above_the_carriers_published_limit_is_a_problem(settings, rates, problem):
    settings.CARRIER_RATE_LIMITS = {**settings.CARRIER_RATE_LIMITS, **rates}

    output, passed = check()

    assert not passed
    assert problem in output


def test_text_that_is_not_printable_is_shown_escaped():
    assert printable("Parcel\x9b31m\x07 ok ü") == "Parcel\\x9b31m\\x07 ok ü"


def test_a_site_with_no_carrier_configured_is_not_ready(settings):
    settings.TRACKING_DEMO = False

    output, passed = check()

    assert not passed
    assert "no carrier is configured" in output
