import pytest
from django.test import RequestFactory

from tests.conftest import tune
from tests.tracking_site.conftest import make_parcel
from tracking_site.protection.rate_limits import client_ip

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"pages": "3/d"})
    tune(settings, rate_limits={"api": "3/d"})
    tune(settings, rate_limits={"search": "3/d"})
    tune(settings, rate_limits={"numbers": "1000/d"})
    return settings


def test_parcel_pages_over_the_limit_get_a_429_page_with_retry_after(client, carriers, limits):
    statuses = [client.get("/track/nzpost/CL092594238NZ/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    response = client.get("/track/nzpost/CL092594238NZ/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()


def test_api_over_the_limit_gets_a_json_429_with_retry_after(client, carriers, limits):
    for _ in range(3):
        client.get("/api/v1/parcels/nzpost/CL092594238NZ")
    response = client.get("/api/v1/parcels/nzpost/CL092594238NZ")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) == response.json()["error"]["retry_after"]


def test_search_is_limited_per_client_ip(client, carriers, limits):
    for _ in range(3):
        client.get("/track/", {"q": "CL092594238NZ"}, REMOTE_ADDR="203.0.113.1")
    assert client.get("/track/", {"q": "CL092594238NZ"}, REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.get("/track/", {"q": "CL092594238NZ"}, REMOTE_ADDR="203.0.113.2").status_code == 404


def test_not_found_numbers_cost_the_same_budget_as_found_ones(client, carriers, limits):
    tune(limits, rate_limits={"search": "1000/d"})
    tune(limits, rate_limits={"numbers": "4/d"})
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel("nzpost", "CL092594238NZ")
    assert client.get("/track/", {"q": "CL092594238NZ CL000000000NZ"}).status_code == 200
    assert client.get("/track/", {"q": "CL000000001NZ CL000000002NZ"}).status_code == 200
    # Four numbers spent, two found and two not: the budget is gone either way.
    response = client.get("/track/", {"q": "CL092594238NZ"})
    assert response.status_code == 429


def test_each_number_of_a_search_is_charged(client, carriers, limits):
    tune(limits, rate_limits={"search": "1000/d"})
    tune(limits, rate_limits={"numbers": "5/d"})
    many = " ".join(f"CL{n:09d}NZ" for n in range(6))
    assert client.get("/track/", {"q": many}).status_code == 429


def make_request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_ip_ignores_x_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(make_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_client_ip_takes_the_address_our_outermost_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged "1.2.3.4"; our proxy appended the real address it saw.
    assert client_ip(make_request("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(make_request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.1")) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", ["", "not-an-ip", "198.51.100.7\r\nX: y"])
def test_client_ip_falls_back_to_remote_addr_when_the_header_is_short_or_garbage(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(make_request("10.0.0.2", forwarded)) == "10.0.0.2"
