"""The search form takes numbers as people copy them from emails, receipts, labels and our own pages (issue 21)."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carriers.detect import candidate_carriers
from tests.carriers.test_search_text import accepted_numbers, written
from tests.tracking_site.conftest import make_parcel
from tracking_site.presentation.number_groups import number_groups
from tracking_site.web.forms import SearchForm

pytestmark = pytest.mark.django_db

ENABLED = ["postplus", "dhl-ecommerce", "nzpost"]


def cleaned(text: str) -> SearchForm:
    form = SearchForm({"q": text, "carrier": "auto"}, enabled_carriers=ENABLED)
    assert form.is_valid(), form.errors
    return form


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("LB 123 456 785 EE", "LB123456785EE"),
        ("GM29 5117 4940 1107 6415", "GM295117494011076415"),
        ("Tracking number: LB123456785EE", "LB123456785EE"),
        ("RR204817360LV.", "RR204817360LV"),
        ("ce 310 477 291 fi", "CE310477291FI"),
    ],
)
def test_the_issues_examples_are_one_number_each_and_nothing_is_rejected(text, number):
    form = cleaned(text)
    assert form.cleaned_data["q"] == [number]
    assert form.rejected == []


def test_numbers_typed_the_way_our_page_prints_them_are_not_named_as_mistakes():
    """The old answer was "These are not tracking numbers: LB, 123, 456, 785, EE"."""
    form = SearchForm({"q": "LB 123 456 785 EE"}, enabled_carriers=ENABLED)
    assert form.is_valid()
    assert "These are not tracking numbers" not in str(form.errors)


def test_the_limit_counts_numbers_not_the_groups_they_are_written_in():
    text = "\n".join(f"LB 123 456 {n:03d} EE" for n in range(25))  # 125 groups, 25 numbers
    assert len(cleaned(text).cleaned_data["q"]) == 25


def test_an_entry_that_is_no_number_is_still_named_beside_the_numbers():
    form = cleaned("Tracking number: LB123456785EE, AB")
    assert form.cleaned_data["q"] == ["LB123456785EE"]
    assert [entry.shown for entry in form.rejected] == ["AB"]


@pytest.mark.parametrize(
    ("text", "carrier", "number"),
    [
        ("LB 123 456 785 EE", "postplus", "LB123456785EE"),
        ("GM29 5117 4940 1107 6415", "dhl-ecommerce", "GM295117494011076415"),
        ("Tracking number: LB123456785EE", "postplus", "LB123456785EE"),
        ("RR204817360LV.", "postplus", "RR204817360LV"),
        ("Parcel number: PARCEL-NR-1.", "postplus", "PARCEL-NR-1"),  # PostPlus's published sample
        ("Package ORDER-58213-B", "dhl-ecommerce", "ORDER-58213-B"),
        ("7720 4198 3650 0214 AKL0 03CP", "nzpost", "7720419836500214AKL003CP"),
    ],
)
def test_a_pasted_number_opens_its_parcel_and_only_it_is_asked_for(client, carriers, text, carrier, number):
    carriers[carrier].parcels[number] = make_parcel(carrier, number)
    response = client.get("/track/", {"q": text})
    assert response.status_code == 302
    assert response["Location"] == f"/track/{carrier}/{number}/"
    asked = {asked for installed in carriers.values() for batch in installed.batches for asked in batch}
    assert asked == {number}  # never the word "TRACKING", never a group on its own


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), accepted_numbers)
def test_any_number_we_accept_written_as_people_have_it_finds_the_same_parcel(carriers, data, number):
    carrier = candidate_carriers(number)[-1]
    for installed in carriers.values():
        installed.parcels.clear()
        installed.batches.clear()
    carriers[carrier].parcels[number] = make_parcel(carrier, number)
    text = data.draw(written(number))
    response = Client().get("/track/", {"q": text})
    assert response.status_code == 302, text
    assert response["Location"] == f"/track/{carrier}/{number}/"


def demo_parcels() -> list[tuple[str, str]]:
    from carriers.demo import demo_numbers

    return [(slug, number) for slug, numbers in demo_numbers().items() for number, _ in numbers]


@pytest.mark.parametrize(("carrier", "number"), demo_parcels())
def test_every_demo_parcel_typed_as_our_pages_print_it_opens_its_page(client, carrier, number):
    printed = " ".join(number_groups(number))
    response = client.get("/track/", {"q": f"Tracking number: {printed.lower()}."})
    assert response.status_code == 302, printed
    assert response["Location"] == f"/track/{carrier}/{number}/"
