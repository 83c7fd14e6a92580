import httpx
import pytest

from carriers.base import CarrierUnavailable
from carriers.model import FailureReason
from carriers.oauth import REFRESH_MARGIN_SECONDS, ClientCredentials
from tests.clocks import FakeClock

TOKEN_URL = "https://auth.example/token"


class TokenServer:
    """Issues numbered tokens; the API accepts only the newest unless told otherwise."""

    def __init__(self) -> None:
        self.issued = 0
        self.token_requests: list[httpx.Request] = []
        self.api_statuses: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            self.token_requests.append(request)
            self.issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"tok-{self.issued}",
                    "token_type": "Bearer",
                    "expires_in": 3599,
                    "client_id": "cid",
                },
            )
        status = self.api_statuses.pop(0) if self.api_statuses else 200
        return httpx.Response(status, json={"auth": request.headers["Authorization"]})


def make(server: TokenServer, clock: FakeClock) -> ClientCredentials:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return ClientCredentials(
        http=http, token_url=TOKEN_URL, client_id="cid", client_secret="s3cret", carrier="test", clock=clock
    )


def build(token: str) -> httpx.Request:
    return httpx.Request("GET", "https://api.example/x", headers={"Authorization": f"Bearer {token}"})


def test_token_is_fetched_once_and_reused_until_shortly_before_expiry():
    server, clock = TokenServer(), FakeClock()
    credentials = make(server, clock)
    assert credentials.token() == "tok-1"
    clock.now += 3599 - REFRESH_MARGIN_SECONDS - 1
    assert credentials.token() == "tok-1"
    clock.now += 2
    assert credentials.token() == "tok-2"
    assert server.issued == 2


def test_token_request_is_form_encoded_client_credentials():
    server, clock = TokenServer(), FakeClock()
    make(server, clock).token()
    body = server.token_requests[0].content.decode()
    assert server.token_requests[0].headers["content-type"] == "application/x-www-form-urlencoded"
    assert "grant_type=client_credentials" in body and "client_id=cid" in body and "client_secret=s3cret" in body


def test_401_refreshes_the_token_once_and_retries_once():
    server, clock = TokenServer(), FakeClock()
    server.api_statuses = [401, 200]
    response = make(server, clock).send_authorized(build)
    assert response.status_code == 200
    assert response.json() == {"auth": "Bearer tok-2"}
    assert server.issued == 2


def test_second_401_after_refresh_is_an_auth_failure():
    server, clock = TokenServer(), FakeClock()
    server.api_statuses = [401, 401, 200]
    with pytest.raises(CarrierUnavailable) as caught:
        make(server, clock).send_authorized(build)
    assert caught.value.reason is FailureReason.AUTH
    assert server.issued == 2


def test_refused_credentials_are_an_auth_failure_without_the_secret():
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(401, json={"error": "invalid_client"})))
    credentials = ClientCredentials(
        http=http, token_url=TOKEN_URL, client_id="cid", client_secret="s3cret", carrier="test", clock=FakeClock()
    )
    with pytest.raises(CarrierUnavailable) as caught:
        credentials.token()
    assert caught.value.reason is FailureReason.AUTH
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(credentials)


def test_token_answer_without_access_token_is_an_auth_failure():
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"token_type": "Bearer"})))
    credentials = ClientCredentials(
        http=http, token_url=TOKEN_URL, client_id="cid", client_secret="s3cret", carrier="test", clock=FakeClock()
    )
    with pytest.raises(CarrierUnavailable) as caught:
        credentials.token()
    assert caught.value.reason is FailureReason.AUTH


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [(3599, 3599), ("120", 120), (None, 3599), ("nan", 3599), ("inf", 3599), (-5, 1), (10**9, 86_400)],
)
def test_token_lifetime_is_clamped_to_something_sane(expires_in, lifetime):
    from carriers.oauth import token_lifetime

    assert token_lifetime(expires_in) == lifetime


def test_short_lived_token_is_reused_for_half_its_life():
    clock = FakeClock()
    issued = []

    def handler(request: httpx.Request) -> httpx.Response:
        issued.append(1)
        return httpx.Response(200, json={"access_token": f"t{len(issued)}", "expires_in": 40})

    credentials = ClientCredentials(
        http=httpx.Client(transport=httpx.MockTransport(handler)),
        token_url=TOKEN_URL,
        client_id="cid",
        client_secret="s3cret",
        carrier="test",
        clock=clock,
    )
    assert credentials.token() == "t1"
    clock.now += 19
    assert credentials.token() == "t1"
    clock.now += 2
    assert credentials.token() == "t2"
