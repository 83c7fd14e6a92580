import pytest

from carriers.fakes import dhl_ecommerce as fake_dhl
from carriers.model import FailureReason, Status
from tests.conftest import tune
from tests.tracking_site.conftest import make_parcel

pytestmark = pytest.mark.django_db


def test_home_page_has_the_search_form(client, carriers):
    response = client.get("/")
    assert response.status_code == 200
    assert b'name="q"' in response.content and b'action="/track/"' in response.content


def test_one_found_number_redirects_to_its_permalink(client, carriers):
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel("nzpost", "CL092594238NZ")
    response = client.get("/track/", {"q": " cl092594238nz ", "carrier": "auto"})
    assert response.status_code == 302
    assert response["Location"] == "/track/nzpost/CL092594238NZ/"


def test_several_numbers_get_one_summary_card_each(client, carriers):
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel("nzpost", "CL092594238NZ", Status.DELIVERED, "Delivered")
    carriers["dhl-ecommerce"].parcels["GM2951173225174494"] = make_parcel("dhl-ecommerce", "GM2951173225174494")
    response = client.get("/track/", {"q": "CL092594238NZ, GM2951173225174494\nGM0000000000000001"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<li class="card ') == 3
    assert 'href="/track/nzpost/CL092594238NZ/"' in body
    assert 'href="/track/dhl-ecommerce/GM2951173225174494/"' in body
    assert "Not found at DHL eCommerce" in body
    assert '<p class="summary">2 of 3 found · 1 delivered</p>' in body


def test_chosen_carrier_is_the_only_one_asked(client, carriers):
    client.get("/track/", {"q": "CL092594238NZ", "carrier": "postplus"})
    assert carriers["postplus"].batches == [["CL092594238NZ"]]
    assert carriers["nzpost"].batches == []


def test_ambiguous_number_asks_every_fitting_carrier_and_keeps_what_is_found(client, carriers):
    carriers["postplus"].parcels["CL092594238NZ"] = make_parcel("postplus", "CL092594238NZ")
    response = client.get("/track/", {"q": "CL092594238NZ"})
    assert carriers["nzpost"].batches == [["CL092594238NZ"]]
    assert response["Location"] == "/track/postplus/CL092594238NZ/"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type at least one tracking number."),
        (" ".join(f"GM{n:016d}" for n in range(26)), "Search at most 25 numbers"),
        ("AB <script>alert(1)</script>", "These are not tracking numbers"),
        ("x" * 2001, "too long"),
    ],
)
def test_invalid_searches_get_a_clear_400_and_no_carrier_call(client, carriers, query, message):
    response = client.get("/track/", {"q": query})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"<script>alert(1)</script>" not in response.content
    assert all(not c.batches for c in carriers.values())


def test_unknown_carrier_choice_is_a_form_error(client, carriers):
    response = client.get("/track/", {"q": "CL092594238NZ", "carrier": "fedex"})
    assert response.status_code == 400


def test_permalink_shows_the_timeline_newest_first(client, carriers):
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel(
        "nzpost", "CL092594238NZ", Status.OUT_FOR_DELIVERY, "With courier for delivery"
    )
    response = client.get("/track/nzpost/CL092594238NZ/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Out for delivery" in body
    assert body.index("With courier for delivery") < body.index("Shipping information received")
    assert '<ol class="timeline">' in body


def test_permalink_in_lower_case_redirects_permanently_to_the_canonical_one(client, carriers):
    response = client.get("/track/nzpost/cl092594238nz/")
    assert response.status_code == 301
    assert response["Location"] == "/track/nzpost/CL092594238NZ/"


def test_permalink_not_found_is_a_helpful_404(client, carriers):
    response = client.get("/track/nzpost/CL092594238NZ/")
    assert response.status_code == 404
    assert "NZ Post has no parcel with the number" in response.content.decode()


@pytest.mark.parametrize("number", ["AB", "A%252FB1234", "..", "%00ABCDEF", "ABC%20DEF12"])
def test_permalink_with_an_invalid_number_is_a_400(client, carriers, number):
    response = client.get(f"/track/nzpost/{number}/")
    assert response.status_code == 400
    assert all(not c.batches for c in carriers.values())


def test_permalink_for_an_unknown_carrier_is_a_404(client, carriers):
    assert client.get("/track/fedex/CL092594238NZ/").status_code == 404


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (FailureReason.TIMEOUT, 504),
        (FailureReason.UNAVAILABLE, 503),
        (FailureReason.BAD_RESPONSE, 502),
        (FailureReason.AUTH, 502),
        (FailureReason.RATE_LIMITED, 503),
    ],
)
def test_carrier_failure_is_a_friendly_page_not_a_500(client, carriers, reason, status):
    carriers["nzpost"].failure = reason
    response = client.get("/track/nzpost/CL092594238NZ/")
    assert response.status_code == status
    assert "We could not reach NZ Post" in response.content.decode()
    assert "try again" in response.content.decode().lower()


def test_failing_carrier_does_not_hide_another_carriers_results(client, carriers):
    carriers["dhl-ecommerce"].parcels["GM2951173225174494"] = make_parcel("dhl-ecommerce", "GM2951173225174494")
    carriers["nzpost"].failure = FailureReason.TIMEOUT
    response = client.get("/track/", {"q": "GM2951173225174494 CL092594238NZ"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="/track/dhl-ecommerce/GM2951173225174494/"' in body
    assert "NZ Post did not answer in time" in body


def test_stale_answer_is_served_when_the_carrier_fails_later(client, carriers, settings):
    tune(settings, parcel_cache={"fresh_seconds": 0})
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel("nzpost", "CL092594238NZ")
    assert client.get("/track/nzpost/CL092594238NZ/").status_code == 200
    carriers["nzpost"].failure = FailureReason.UNAVAILABLE
    response = client.get("/track/nzpost/CL092594238NZ/")
    assert response.status_code == 200
    assert "this is the last information we had" in response.content.decode()
    api = client.get("/api/v1/parcels/nzpost/CL092594238NZ").json()
    assert api["stale"] is True


def test_fresh_cached_answer_asks_the_carrier_once(client, carriers):
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel("nzpost", "CL092594238NZ")
    client.get("/track/nzpost/CL092594238NZ/")
    client.get("/track/nzpost/CL092594238NZ/")
    client.get("/api/v1/parcels/nzpost/CL092594238NZ")
    assert carriers["nzpost"].batches == [["CL092594238NZ"]]


def test_api_returns_the_public_model_with_iso_times(client, carriers):
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel("nzpost", "CL092594238NZ", Status.DELIVERED, "Delivered")
    body = client.get("/api/v1/parcels/nzpost/CL092594238NZ").json()
    parcel = body["parcel"]
    assert parcel["carrier"] == "nzpost" and parcel["tracking_number"] == "CL092594238NZ"
    assert parcel["status"] == "delivered" and parcel["status_label"] == "Delivered"
    assert parcel["delivered_at"] == "2024-05-01T14:00:00+00:00"
    assert parcel["events"][0]["occurred_at"] == "2024-05-01T14:00:00+00:00"
    assert set(parcel["events"][0]) == {"occurred_at", "status", "description", "meaning", "place"}
    assert body["stale"] is False
    assert parcel["labels_language"] == "en"


def test_api_events_keep_the_carriers_words_and_add_our_meaning_in_the_visitors_language(client):
    number = fake_dhl.OUT_FOR_DELIVERY
    english = client.get(f"/api/v1/parcels/dhl-ecommerce/{number}").json()["parcel"]["events"]
    spanish = client.get(f"/api/v1/parcels/dhl-ecommerce/{number}", headers={"accept-language": "es"}).json()
    newest, before = spanish["parcel"]["events"][:2]
    assert newest["description"] == english[0]["description"] == "OUT FOR DELIVERY"  # DHL's own, never translated
    assert newest["meaning"] == "En reparto" and english[0]["meaning"] == "Out for delivery"
    assert before["description"] == "ARRIVED USPS SORT FACILITY" and before["meaning"] is None  # a code we do not know


def test_api_labels_follow_the_visitors_language_and_say_which_it_is(client, carriers):
    carriers["nzpost"].parcels["CL092594238NZ"] = make_parcel("nzpost", "CL092594238NZ", Status.DELIVERED, "Delivered")
    parcel = client.get("/api/v1/parcels/nzpost/CL092594238NZ", headers={"accept-language": "nl"}).json()["parcel"]
    assert parcel["labels_language"] == "nl" and parcel["status_label"] == "Bezorgd"
    assert parcel["status"] == "delivered"  # the machine-readable value never changes with the language


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/parcels/nzpost/CL092594238NZ", 404, "not_found"),
        ("/api/v1/parcels/nzpost/AB", 400, "invalid_number"),
        ("/api/v1/parcels/fedex/CL092594238NZ", 404, "unknown_carrier"),
    ],
)
def test_api_errors_are_json_with_a_code(client, carriers, path, status, code):
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("reason", "status"),
    [(FailureReason.TIMEOUT, 504), (FailureReason.UNAVAILABLE, 503), (FailureReason.BAD_RESPONSE, 502)],
)
def test_api_carrier_failures_are_5xx_with_a_machine_readable_code(client, carriers, reason, status):
    carriers["nzpost"].failure = reason
    response = client.get("/api/v1/parcels/nzpost/CL092594238NZ")
    assert response.status_code == status
    assert response.json()["error"]["code"] == reason.value
    assert int(response["Retry-After"]) > 0


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_post_to_pages_is_refused(client, carriers):
    assert client.post("/track/nzpost/CL092594238NZ/").status_code == 405
