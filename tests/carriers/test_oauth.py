"""OAuth2 client credentials as an httpx.Auth: one shared token, refreshed once on a 401, fetched once at a time."""

import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from carriers.base import CarrierUnavailable
from carriers.model import FailureReason
from carriers.oauth import REFRESH_MARGIN_SECONDS, TOKEN_DEADLINE_SECONDS, TOKEN_TIMEOUT, ClientCredentials
from tests.clocks import FakeClock

TOKEN_URL = "https://auth.example/token"
NZPOST_TOKEN_SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "nzpost" / "token_answer_sample.json"


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


def answering(handler: Callable[[httpx.Request], httpx.Response], clock: FakeClock) -> ClientCredentials:
    """The credentials of client "cid", whose token endpoint is `handler`."""
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return ClientCredentials(
        http=http, token_url=TOKEN_URL, client_id="cid", client_secret="s3cret", carrier="test", clock=clock
    )


def make(server: TokenServer, clock: FakeClock) -> ClientCredentials:
    return answering(server, clock)


def call_api(credentials: ClientCredentials, server: TokenServer) -> httpx.Response:
    """One API call through the credentials, as the carrier clients make them."""
    return httpx.Client(transport=httpx.MockTransport(server)).get("https://api.example/x", auth=credentials)


def test_the_auth_puts_the_bearer_token_on_each_request():
    server, clock = TokenServer(), FakeClock()
    credentials = make(server, clock)
    assert call_api(credentials, server).json() == {"auth": "Bearer tok-1"}
    assert call_api(credentials, server).json() == {"auth": "Bearer tok-1"}
    assert server.issued == 1


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
    response = call_api(make(server, clock), server)
    assert response.status_code == 200
    assert response.json() == {"auth": "Bearer tok-2"}
    assert server.issued == 2


def test_second_401_after_refresh_is_an_auth_failure():
    server, clock = TokenServer(), FakeClock()
    server.api_statuses = [401, 401, 200]
    with pytest.raises(CarrierUnavailable) as caught:
        call_api(make(server, clock), server)
    assert caught.value.reason is FailureReason.AUTH
    assert server.issued == 2


def test_refused_credentials_are_an_auth_failure_without_the_secret():
    credentials = answering(lambda r: httpx.Response(401, json={"error": "invalid_client"}), FakeClock())
    with pytest.raises(CarrierUnavailable) as caught:
        credentials.token()
    assert caught.value.reason is FailureReason.AUTH
    assert "s3cret" not in str(caught.value) and "s3cret" not in repr(credentials)


def test_token_answer_without_access_token_is_an_auth_failure():
    credentials = answering(lambda r: httpx.Response(200, json={"token_type": "Bearer"}), FakeClock())
    with pytest.raises(CarrierUnavailable) as caught:
        credentials.token()
    assert caught.value.reason is FailureReason.AUTH


def test_nz_posts_published_token_answer_verbatim_is_read_and_kept_for_its_day():
    # NZ Post's Authentication page: {"access_token": "{ACCESS TOKEN}", "token_type": "Bearer", "expires_in": 86399}
    clock, fetched = FakeClock(), []

    def handler(request: httpx.Request) -> httpx.Response:
        fetched.append(request)
        return httpx.Response(200, content=NZPOST_TOKEN_SAMPLE.read_bytes())

    credentials = answering(handler, clock)
    assert credentials.token() == "{ACCESS TOKEN}"
    clock.now += 86399 - REFRESH_MARGIN_SECONDS - 1
    assert credentials.token() == "{ACCESS TOKEN}" and len(fetched) == 1
    clock.now += 2
    credentials.token()
    assert len(fetched) == 2


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

    credentials = answering(handler, clock)
    assert credentials.token() == "t1"
    clock.now += 19
    assert credentials.token() == "t1"
    clock.now += 2
    assert credentials.token() == "t2"


def test_a_token_fetch_has_its_own_short_timeout():
    server = TokenServer()
    make(server, FakeClock()).token()
    assert server.token_requests[0].extensions["timeout"] == TOKEN_TIMEOUT.as_dict()
    assert max(TOKEN_TIMEOUT.as_dict().values()) <= TOKEN_DEADLINE_SECONDS <= 5


# --- One token fetch in flight per client: the others wait for its outcome ----------------------------------------


class HeldTokenEndpoint:
    """A token endpoint that holds every token request until the test lets it answer (or fail)."""

    def __init__(self) -> None:
        self.token_requests = 0
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.failure: Exception | None = None
        self._count = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._count:
            self.token_requests += 1
        self.arrived.set()
        assert self.release.wait(10), "the test never released the token endpoint"
        if self.failure is not None:
            raise self.failure
        return httpx.Response(200, json={"access_token": f"tok-{self.token_requests}", "expires_in": 3599})


class ObservedWaits:
    """Stands in for Event.wait: records how long each waiter was willing to wait, then waits for the outcome."""

    def __init__(self) -> None:
        self.timeouts: list[float] = []
        self.changed = threading.Condition()

    def __call__(self, done: threading.Event, timeout: float) -> bool:
        with self.changed:
            self.timeouts.append(timeout)
            self.changed.notify_all()
        return done.wait(10)

    def until(self, count: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.timeouts) >= count, timeout=10)


def held_credentials(
    endpoint: HeldTokenEndpoint, monotonic: FakeClock, waits=threading.Event.wait
) -> ClientCredentials:
    return ClientCredentials(
        http=httpx.Client(transport=httpx.MockTransport(endpoint)),
        token_url=TOKEN_URL,
        client_id="cid",
        client_secret="s3cret",
        carrier="test",
        clock=FakeClock(),
        monotonic=monotonic,
        wait=waits,
    )


def in_threads(count: int, call):
    """Run `call` in `count` threads; their results (or exceptions), and a join to collect them."""
    outcomes: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            outcome: object = call()
        except Exception as exc:
            outcome = exc
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()

    def join() -> list[object]:
        for thread in threads:
            thread.join(10)
        return outcomes

    return join


def test_eight_visitors_needing_a_token_at_once_cause_one_fetch_and_share_its_token():
    endpoint, waits = HeldTokenEndpoint(), ObservedWaits()
    credentials = held_credentials(endpoint, FakeClock(), waits)

    join = in_threads(8, credentials.token)
    assert endpoint.arrived.wait(10)
    waits.until(7)
    endpoint.release.set()

    assert join() == ["tok-1"] * 8
    assert endpoint.token_requests == 1
    # Each waited for the leader's outcome no longer than the leader's own deadline.
    assert waits.timeouts == [TOKEN_DEADLINE_SECONDS] * 7


def test_a_failed_token_fetch_fails_everyone_waiting_for_it_at_once_without_retrying():
    endpoint, waits = HeldTokenEndpoint(), ObservedWaits()
    credentials = held_credentials(endpoint, FakeClock(), waits)
    endpoint.failure = httpx.ReadTimeout("the token endpoint hangs")

    join = in_threads(8, credentials.token)
    assert endpoint.arrived.wait(10)
    waits.until(7)
    endpoint.release.set()

    outcomes = join()
    assert len(outcomes) == 8 and all(isinstance(outcome, CarrierUnavailable) for outcome in outcomes)
    assert {outcome.reason for outcome in outcomes} == {FailureReason.TIMEOUT}  # type: ignore[attr-defined]
    assert endpoint.token_requests == 1


def test_the_next_caller_after_a_failed_fetch_tries_again():
    endpoint = HeldTokenEndpoint()
    endpoint.release.set()
    endpoint.failure = httpx.ConnectError("refused")
    credentials = held_credentials(endpoint, FakeClock())
    with pytest.raises(CarrierUnavailable):
        credentials.token()

    endpoint.failure = None
    assert credentials.token() == "tok-2"
    assert endpoint.token_requests == 2


def test_a_waiter_waits_only_what_is_left_of_the_leaders_deadline():
    endpoint, waits, monotonic = HeldTokenEndpoint(), ObservedWaits(), FakeClock()
    credentials = held_credentials(endpoint, monotonic, waits)
    join_leader = in_threads(1, credentials.token)
    assert endpoint.arrived.wait(10)

    monotonic.now += 3.0
    join_waiter = in_threads(1, credentials.token)
    waits.until(1)
    endpoint.release.set()

    assert join_leader() + join_waiter() == ["tok-1", "tok-1"]
    assert waits.timeouts == [TOKEN_DEADLINE_SECONDS - 3.0]


def test_past_the_leaders_deadline_a_waiter_gives_up_at_once_and_the_leaders_token_still_serves_later():
    endpoint, monotonic = HeldTokenEndpoint(), FakeClock()
    credentials = held_credentials(endpoint, monotonic)
    join_leader = in_threads(1, credentials.token)
    assert endpoint.arrived.wait(10)

    monotonic.now += TOKEN_DEADLINE_SECONDS + 1
    with pytest.raises(CarrierUnavailable) as caught:
        credentials.token()
    assert caught.value.reason is FailureReason.TIMEOUT
    assert endpoint.token_requests == 1

    endpoint.release.set()
    assert join_leader() == ["tok-1"]
    assert credentials.token() == "tok-1"
    assert endpoint.token_requests == 1


def test_fetch_new_asks_the_endpoint_even_with_a_token_stored_and_shares_the_new_one():
    server, clock = TokenServer(), FakeClock()
    credentials = make(server, clock)
    assert credentials.token() == "tok-1"
    assert credentials.fetch_new() == 3599
    assert server.issued == 2
    assert credentials.token() == "tok-2" and server.issued == 2
