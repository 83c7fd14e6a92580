"""A harness for the gatherer's tests: a clock that moves only when the test moves it, and threads the test can
wait for until every one of them is blocked on that clock (no sleeping on wall time)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

import httpx

from carriers.base import CarrierClient, CarrierUnavailable
from carriers.model import CarrierFailure, FailureReason, Found, NotFound, Parcel, TrackingResult
from carriers.throttle import Priority
from tests.tracking_site.conftest import make_parcel

# Only a test that is stuck ever waits this long (a thread that never blocks, a wake-up that never comes).
STUCK_SECONDS = 10.0


class _TrackedCondition(threading.Condition):
    """A condition that tells its clock whom a notify wakes, so "everyone is waiting" is never a stale view."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self._clock = clock

    def notify(self, n: int = 1) -> None:
        self._clock._woken(self)  # every waiter looks again, so all of them count as woken
        super().notify(len(self._waiters))

    def notify_all(self) -> None:
        self.notify()


class ManualClock:
    def __init__(self, now: float = 1000.0) -> None:
        self._now = now
        self._marks = threading.Condition()
        self._waiting: dict[int, threading.Condition] = {}
        self._conditions: list[_TrackedCondition] = []

    def now(self) -> float:
        return self._now

    def condition(self) -> threading.Condition:
        condition = _TrackedCondition(self)
        self._conditions.append(condition)
        return condition

    def wait(self, condition: threading.Condition, timeout: float) -> None:
        me = threading.get_ident()
        with self._marks:
            self._waiting[me] = condition
            self._marks.notify_all()
        try:
            assert condition.wait(STUCK_SECONDS), "nothing woke a waiting thread"
        finally:
            with self._marks:
                if self._waiting.get(me) is condition:
                    del self._waiting[me]
                self._marks.notify_all()

    def _woken(self, condition: threading.Condition) -> None:
        with self._marks:
            for thread in [t for t, waited in self._waiting.items() if waited is condition]:
                del self._waiting[thread]

    def advance(self, seconds: float) -> None:
        self._now += seconds
        for condition in self._conditions:
            with condition:
                condition.notify_all()


class Harness:
    """Starts the threads of a test (requests, and the gatherer's tasks) and waits until all of them block."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self._live: set[threading.Thread] = set()
        self.errors: list[BaseException] = []

    def spawn(self, task: Callable[[], None]) -> None:
        def run() -> None:
            try:
                task()
            except BaseException as exc:  # the test fails on it in `settle`
                self.errors.append(exc)
            finally:
                with self.clock._marks:
                    self._live.discard(thread)
                    self.clock._marks.notify_all()

        thread = threading.Thread(target=run, daemon=True)
        with self.clock._marks:
            self._live.add(thread)
        thread.start()

    def request(self, gatherer, pairs: Sequence[tuple[str, str]], priority: Priority = Priority.VISITOR) -> Asked:
        asked = Asked()
        self.spawn(lambda: asked.set(gatherer.gather(pairs, priority)))
        self.settle()
        return asked

    def settle(self) -> None:
        """Until every thread started is blocked on the clock, or finished."""
        marks = self.clock._marks
        with marks:
            idle = marks.wait_for(
                lambda: all(thread.ident in self.clock._waiting for thread in self._live), STUCK_SECONDS
            )
        assert not self.errors, self.errors
        assert idle, "a thread never blocked"

    def advance(self, seconds: float) -> None:
        self.settle()
        self.clock.advance(seconds)
        self.settle()


class Asked:
    """One request's answers, once it has them."""

    def __init__(self) -> None:
        self.answers: dict | None = None

    def set(self, answers: dict) -> None:
        self.answers = answers

    @property
    def done(self) -> bool:
        return self.answers is not None

    def result(self, carrier: str, number: str) -> TrackingResult:
        assert self.answers is not None, "still waiting"
        return self.answers[(carrier, number)].result


class RecordingCarrier(CarrierClient):
    """A carrier of the gatherer's interface over in-memory parcels, recording every call (kind, numbers).

    `finds` says which identifier kind finds a number (absent: every kind finds it); `hold()` keeps calls in
    flight until `release()`, waiting on the test's clock.
    """

    def __init__(
        self,
        slug: str,
        parcels: Sequence[str] = (),
        *,
        batch_size: int = 50,
        kinds: tuple[str, ...] = ("",),
        finds: Mapping[str, str] | None = None,
        failure: FailureReason | None = None,
        clock: ManualClock | None = None,
    ) -> None:
        super().__init__(httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500))))
        self.slug = slug  # type: ignore[misc]
        self.name = slug  # type: ignore[misc]
        self.batch_size = batch_size  # type: ignore[misc]
        self.kinds = kinds
        self.parcels: dict[str, Parcel] = {number: make_parcel(slug, number) for number in parcels}
        self.finds = dict(finds or {})
        self.failure = failure
        self.calls: list[tuple[str, list[str]]] = []
        self.extensions: list[dict[str, object]] = []  # what each call's requests would carry
        self._clock = clock
        self._gate = clock.condition() if clock else threading.Condition()
        self._held = False

    def identifier_kinds(self, number: str) -> tuple[str, ...]:
        return self.kinds

    def hold(self) -> None:
        self._held = True

    def release(self) -> None:
        with self._gate:
            self._held = False
            self._gate.notify_all()

    def with_extensions(self, extensions: Mapping[str, object]) -> RecordingCarrier:
        self.extensions.append(dict(extensions))
        return self  # one carrier, so that hold() and release() reach every call

    def call_batch(self, numbers: Sequence[str], kind: str = "") -> dict[str, TrackingResult]:
        self.calls.append((kind, list(numbers)))
        with self._gate:
            while self._held:
                assert self._clock is not None
                self._clock.wait(self._gate, STUCK_SECONDS)
        if self.failure:
            return {number: CarrierFailure(self.slug, number, self.failure) for number in numbers}
        return {number: self._result(number, kind) for number in numbers}

    def _result(self, number: str, kind: str) -> TrackingResult:
        parcel = self.parcels.get(number)
        if parcel is None or self.finds.get(number, kind) != kind:
            return NotFound(self.slug, number)
        return Found(parcel)

    def track_batch(self, numbers: Sequence[str], kind: str = "") -> Mapping[str, TrackingResult]:
        if self.failure:
            raise CarrierUnavailable(self.failure)
        return {
            number: result for number, result in self.call_batch(numbers, kind).items() if isinstance(result, Found)
        }

    def numbers_called(self) -> list[list[str]]:
        return [numbers for _, numbers in self.calls]
