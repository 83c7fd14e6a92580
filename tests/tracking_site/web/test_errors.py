"""Error answers: every path under /api/ answers JSON (whoever built the error), pages elsewhere stay pages,
a failing database is a 503 with Retry-After, and every 503/504 says when to come back."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.test import Client, RequestFactory

from carriers.model import FailureReason
from tests.conftest import tune
from tracking_site.lookup import permalink
from tracking_site.web import errors
from tracking_site.web.errors import database_unavailable

pytestmark = pytest.mark.django_db

NUMBER = "CL092594238NZ"
API = f"/api/v1/parcels/nzpost/{NUMBER}"


def error_of(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/json", response.content[:200]
    return json.loads(response.content)["error"]


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug_or_not(request, settings):
    """Django answers some errors differently with DEBUG on (its technical pages): both must give JSON."""
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/v1/", "/api/v1/parcels/nzpost", f"/api/v1/parcels/nzpost/{NUMBER}/", "/api/v2/anything/at/all"],
)
def test_an_address_under_api_that_does_not_exist_is_a_json_404(client, debug_or_not, path):
    response = client.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_get_a_json_405_with_allow(client, carriers, debug_or_not, method):
    response = getattr(Client(enforce_csrf_checks=True), method)(API)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_the_openapi_document_refuses_other_methods_in_json_too(client):
    response = client.post("/api/v1/openapi.json")
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_an_unknown_host_on_the_api_is_a_json_400(client, settings):
    settings.DEBUG = False
    response = client.get(API, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_a_fault_of_ours_on_the_api_is_a_json_500(carriers, monkeypatch, debug_or_not):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(permalink, "lookup_parcels", broken)
    response = Client(raise_request_exception=False).get(API)
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert "a bug" not in response.content.decode() and "Traceback" not in response.content.decode()


def test_the_rate_limit_on_the_api_is_json_with_retry_after(client, carriers, settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"api": "1/m"})
    client.get(API, REMOTE_ADDR="203.0.113.9")
    response = client.get(API, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited" and int(response["Retry-After"]) >= 1


def test_the_403_handler_answers_json_on_the_api_and_a_page_elsewhere():
    factory = RequestFactory()
    on_api = errors.permission_denied(factory.get(API), PermissionDenied())
    assert on_api.status_code == 403 and error_of(on_api)["code"] == "forbidden"
    on_page = errors.permission_denied(factory.get("/staff/"), PermissionDenied())
    assert on_page.status_code == 403 and on_page["Content-Type"].startswith("text/html")
    assert "Not allowed" in on_page.content.decode()


def test_pages_elsewhere_keep_the_sites_own_html_error_pages(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()


def test_a_signed_in_customer_on_a_staff_page_gets_the_sites_403_page(client, django_user_model, settings):
    settings.DEBUG = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(django_user_model.objects.create_user("customer", password="not-used-here-1"))
    response = client.get("/staff/")
    assert response.status_code == 403 and "Not allowed" in response.content.decode()


@pytest.mark.parametrize(("path", "on_api"), [(API, True), (f"/track/nzpost/{NUMBER}/", False)])
def test_a_database_failing_under_a_view_is_a_503_with_retry_after(carriers, monkeypatch, debug_or_not, path, on_api):
    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(permalink, "lookup_parcels", database_down)
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    if on_api:
        assert error_of(response)["code"] == "database_unavailable"
    else:
        assert "Temporarily unavailable" in response.content.decode()


def test_the_500_handler_turns_a_database_failure_into_a_503():
    request = RequestFactory().get(API)
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = errors.server_error(request)
    assert response.status_code == 503 and error_of(response)["code"] == "database_unavailable"
    assert errors.server_error(request).status_code == 500  # outside an `except`: a plain fault of ours


def test_database_unavailable_pages_say_when_to_come_back(settings):
    tune(settings, database={"retry_after_seconds": 42})
    response = database_unavailable(RequestFactory().get("/"))
    assert response.status_code == 503 and response["Retry-After"] == "42"


@pytest.mark.parametrize("reason", [reason for reason in FailureReason])
@pytest.mark.parametrize("where", ["page", "search", "api"])
def test_every_carrier_failure_answer_says_when_to_come_back(client, carriers, reason, where):
    carriers["nzpost"].failure = reason
    url = {"page": f"/track/nzpost/{NUMBER}/", "search": f"/track/?q={NUMBER}&carrier=nzpost", "api": API}[where]
    response = client.get(url)
    assert response.status_code >= 500
    assert int(response["Retry-After"]) >= 1
