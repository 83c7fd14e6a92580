"""The bench's fault switch: a fake carrier answers, hangs or fails, per scope, and recovers."""

from __future__ import annotations

import threading

import httpx

from bench.carrier_faults import FaultSwitch
from carriers.fakes import nzpost as fake_nzpost


def carrier(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


def client(switch: FaultSwitch) -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app=switch), base_url="http://fake")


def test_fail_answers_503_for_its_scope_only():
    switch = FaultSwitch(carrier)
    http = client(switch)
    assert http.post("/__faults/fail", params={"scope": "token"}).status_code == 204
    assert http.post(fake_nzpost.OAUTH_PATH).status_code == 503
    assert http.get(fake_nzpost.PARCELS_PATH).status_code == 200


def test_hang_holds_calls_until_recover_lets_them_through():
    switch = FaultSwitch(carrier)
    http = client(switch)
    http.post("/__faults/hang", params={"scope": "lookups"})
    answered: list[int] = []
    hung = threading.Thread(target=lambda: answered.append(client(switch).get(fake_nzpost.PARCELS_PATH).status_code))
    hung.start()
    assert switch.hanging.wait(10)
    assert http.post(fake_nzpost.OAUTH_PATH).status_code == 200  # tokens still come
    assert answered == []
    http.post("/__faults/recover")
    hung.join()
    assert answered == [200]
    assert http.get(fake_nzpost.PARCELS_PATH).status_code == 200


def test_unknown_modes_and_scopes_are_refused():
    http = client(FaultSwitch(carrier))
    assert http.post("/__faults/explode").status_code == 400
    assert http.post("/__faults/hang", params={"scope": "everything"}).status_code == 400
