"""Following by email: double opt-in, one-click unsubscribe, limits, and the address kept out of everything else."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from carriers.fakes import dhl_ecommerce as fake_dhl
from tests.conftest import tune
from tests.tracking_site.following.conftest import FOLLOWER, NOW, followed, with_email
from tracking_site.following.confirmations import send_waiting_confirmations
from tracking_site.following.delivery import deliver_due_notifications
from tracking_site.following.models import EmailSubscription, FollowedParcel
from tracking_site.following.parcel_store import queue_notifications
from tracking_site.following.tasks import send_confirmation

pytestmark = pytest.mark.django_db

MOVING = fake_dhl.OUT_FOR_DELIVERY
FOLLOW = f"/track/dhl-ecommerce/{MOVING}/follow/email"
LINK = re.compile(r"http://testserver(/follow/email/(?:confirm|unsubscribe)/[^/\s]+/)")


# Parcels still on their way: each can be followed.
OPEN_PARCELS = [
    fake_dhl.OUT_FOR_DELIVERY,
    fake_dhl.IN_TRANSIT_IMPB,
    fake_dhl.INFO_RECEIVED,
    fake_dhl.DELIVERY_ATTEMPTED,
    fake_dhl.AWAITING_PICKUP,
]


def follow(client, address: str = FOLLOWER, **extra):
    return client.post(FOLLOW, {"email": address}, **extra)


def follow_number(client, number: str, address: str = FOLLOWER, **extra):
    return client.post(f"/track/dhl-ecommerce/{number}/follow/email", {"email": address}, **extra)


def links(message) -> dict[str, str]:
    found = LINK.findall(message.body)
    return {
        "confirm": next(p for p in found if "/confirm/" in p),
        "unsubscribe": next(p for p in found if "/unsub" in p),
    }


def test_the_form_sends_one_confirmation_link_and_nothing_else(client, caplog):
    caplog.set_level(logging.DEBUG)
    response = follow(client)
    assert response.status_code == 302
    assert response["Location"] == f"/track/dhl-ecommerce/{MOVING}/follow/email/sent"
    sent_page = client.get(response["Location"]).content.decode()
    assert "Check your inbox" in sent_page and FOLLOWER not in sent_page
    [message] = mail.outbox
    assert message.to == [FOLLOWER]
    assert message.subject == f"Confirm: follow DHL eCommerce parcel {MOVING}"
    assert links(message)["confirm"].startswith("/follow/email/confirm/")
    subscription = EmailSubscription.objects.get()
    assert subscription.confirmed_at is None
    assert subscription.delete_after == subscription.confirmation_sent_at + timedelta(hours=48)  # the link's window
    assert not any(FOLLOWER in record.getMessage() for record in caplog.records)


def test_every_message_has_a_one_click_unsubscribe(client):
    follow(client)
    [message] = mail.outbox
    unsubscribe = links(message)["unsubscribe"]
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body


def test_following_the_confirm_link_shows_a_button_and_only_the_button_confirms(client):
    follow(client)
    confirm = links(mail.outbox[0])["confirm"]
    page = client.get(confirm)
    assert page.status_code == 200 and "Confirm and follow" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    assert EmailSubscription.objects.get().confirmed_at is None  # a mail scanner's GET confirms nothing
    done = client.post(confirm)
    assert "You are following this parcel" in done.content.decode() and FOLLOWER not in done.content.decode()
    subscription = EmailSubscription.objects.get()
    assert subscription.confirmed_at is not None
    assert subscription.delete_after == subscription.created_at + timedelta(days=60)


def test_an_expired_confirm_link_confirms_nothing(client):
    follow(client)
    confirm = links(mail.outbox[0])["confirm"]
    EmailSubscription.objects.update(delete_after=timezone.now() - timedelta(seconds=1))
    response = client.post(confirm)
    assert response.status_code == 400 and "This link does not work" in response.content.decode()
    assert EmailSubscription.objects.get().confirmed_at is None


def test_a_forged_link_is_refused(client):
    follow(client)
    confirm = links(mail.outbox[0])["confirm"]
    assert client.post(confirm[:-6] + "xx/").status_code == 400
    assert client.post("/follow/email/unsubscribe/forged:token/").status_code == 400
    assert EmailSubscription.objects.count() == 1


def test_one_click_unsubscribe_deletes_the_address_at_once(client):
    follow(client)
    unsubscribe = links(mail.outbox[0])["unsubscribe"]
    assert "Stop and delete my address" in client.get(unsubscribe).content.decode()
    assert EmailSubscription.objects.count() == 1  # GET changes nothing
    # What a mail provider sends (RFC 8058): a POST with this body, no cookies, no token.
    response = client.post(unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "You will get no more emails" in response.content.decode()
    assert EmailSubscription.objects.count() == 0
    assert client.post(unsubscribe).status_code == 200  # again: still "done", nothing to delete


def test_following_twice_keeps_one_subscription_and_gives_the_same_answer(client):
    first = follow(client)
    confirm = links(mail.outbox[0])["confirm"]
    client.post(confirm)
    second = follow(client, FOLLOWER.upper().replace("FOLLOWER-MAIL.NET", "follower-mail.net"))
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert EmailSubscription.objects.count() == 1
    assert len(mail.outbox) == 1  # a confirmed address gets no second confirmation


def test_an_invalid_address_shows_the_form_again_with_the_error(client):
    response = follow(client, "not an address")
    assert response.status_code == 400
    page = response.content.decode()
    assert "That does not look like an email address." in page and 'aria-invalid="true"' in page
    assert EmailSubscription.objects.count() == 0 and mail.outbox == []


def test_the_form_page_works_on_its_own(client):
    page = client.get(FOLLOW)
    assert page.status_code == 200
    assert f'action="{FOLLOW}"' in page.content.decode()


def test_a_delivered_parcel_cannot_be_followed(client):
    response = client.post(f"/track/dhl-ecommerce/{fake_dhl.DELIVERED_SIGNED}/follow/email", {"email": FOLLOWER})
    assert response.status_code == 409
    assert "nothing left to follow" in response.content.decode()
    assert EmailSubscription.objects.count() == 0 and FollowedParcel.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/track/dhl-ecommerce/GM0000000000000001/follow/email", 404),
        ("/track/dhl-ecommerce/AB/follow/email", 400),
        ("/track/fedex/X12345/follow/email", 404),
    ],
)
def test_no_parcel_no_follow(client, path, status):
    assert client.post(path, {"email": FOLLOWER}).status_code == status
    assert EmailSubscription.objects.count() == 0 and mail.outbox == []


def test_posts_from_other_sites_are_refused(client):
    response = follow(client, HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403 and EmailSubscription.objects.count() == 0


def test_the_address_is_never_in_the_json_api_or_the_parcel_page(client):
    follow(client)
    client.post(links(mail.outbox[0])["confirm"])
    api = client.get(f"/api/v1/parcels/dhl-ecommerce/{MOVING}").content.decode()
    page = client.get(f"/track/dhl-ecommerce/{MOVING}/").content.decode()
    assert FOLLOWER not in api and FOLLOWER not in page and "follower-mail.net" not in page


@pytest.fixture
def limits(settings):
    tune(settings, rate_limits={"enabled": True})
    tune(settings, rate_limits={"follows": "5/h"})
    tune(settings, rate_limits={"confirmations_ip": "4/h"})
    tune(settings, rate_limits={"confirmations_address": "2/d"})
    tune(settings, rate_limits={"numbers": "1000/d"})
    return settings


def test_a_few_follows_per_client_ip_per_hour(client, limits):
    statuses = [follow(client, f"reader{index}@follower-mail.net").status_code for index in range(6)]
    assert statuses == [302, 302, 302, 302, 429, 429]  # the fifth is over the confirmations per IP
    assert len(mail.outbox) == 4


def test_confirmation_emails_to_one_address_are_limited_whichever_ip_asks(client, limits):
    statuses = [
        follow_number(client, number, REMOTE_ADDR=f"203.0.113.{index}").status_code
        for index, number in enumerate(OPEN_PARCELS[:3])
    ]
    # Every sign-up gets the same answer (none is refused for its address); only two emails go out.
    assert statuses == [302, 302, 302]
    assert len(mail.outbox) == 2
    assert EmailSubscription.objects.count() == 3


def test_asking_again_for_a_waiting_confirmation_sends_it_once(client, limits):
    for index in range(3):
        assert follow(client, REMOTE_ADDR=f"203.0.113.{index}").status_code == 302
    assert len(mail.outbox) == 1


# One mailbox, spelled five ways: fullwidth letters (which the mail backend's IDNA encoding folds), a quoted
# local part, capitals. All five are delivered to the same mailbox, so they are one address.
MAILBOX = "bomb@follower-mail.net"
LOOK_ALIKES = [
    "bomb@follower-mail.net",
    "bomb@\uff46ollower-mail.net",
    "bomb@follower-mai\uff4c.net",
    '"bomb"@follower-mail.net',
    "bomb@FOLLOWER-MAIL.\uff2eET",
]


def test_look_alike_spellings_of_one_mailbox_are_one_address(client, limits):
    statuses = [
        follow_number(client, number, spelling, REMOTE_ADDR=f"203.0.113.{index}").status_code
        for index, (number, spelling) in enumerate(zip(OPEN_PARCELS, LOOK_ALIKES, strict=True))
    ]
    assert statuses == [302] * 5
    assert [message.to for message in mail.outbox] == [[MAILBOX]] * 2  # the limit of one address
    assert set(EmailSubscription.objects.values_list("address", flat=True)) == {MAILBOX}
    assert EmailSubscription.objects.values("address_hash").distinct().count() == 1


@pytest.mark.parametrize(
    "spellings",
    [
        [
            "bomb+1@follower-mail.net",
            "bomb+2@follower-mail.net",
            "BOMB+news@follower-mail.net",
            "bomb@follower-mail.net",
        ],
        ["v.ictim@gmail.com", "vic.tim+x@gmail.com", "victim@googlemail.com", "VICTIM@gmail.com"],
    ],
)
def test_sub_addresses_and_gmail_dots_of_one_mailbox_share_its_limit(client, limits, spellings):
    statuses = [
        follow_number(client, number, spelling, REMOTE_ADDR=f"203.0.113.{index}").status_code
        for index, (number, spelling) in enumerate(zip(OPEN_PARCELS[: len(spellings)], spellings, strict=True))
    ]
    assert statuses == [302] * 4
    assert len(mail.outbox) == 2  # the limit of the one inbox they all deliver to
    assert EmailSubscription.objects.values("address_hash").distinct().count() == 1


def test_other_mailboxes_keep_limits_of_their_own(client, limits):
    spellings = ["bomb@follower-mail.net", "bomb.b@follower-mail.net", "bombb@follower-mail.net"]
    for index, (number, spelling) in enumerate(zip(OPEN_PARCELS[: len(spellings)], spellings, strict=True)):
        assert follow_number(client, number, spelling, REMOTE_ADDR=f"203.0.113.{index}").status_code == 302
    assert len(mail.outbox) == 3  # dots matter outside Gmail: three inboxes, one confirmation each


def test_strangers_posting_an_address_never_block_its_owners_own_sign_up(client, limits):
    for index, number in enumerate(OPEN_PARCELS[:3]):  # three strangers, three parcels, three IPs
        assert follow_number(client, number, REMOTE_ADDR=f"203.0.113.{index}").status_code == 302
    assert len(mail.outbox) == 2
    mine = OPEN_PARCELS[3]
    assert follow_number(client, mine, REMOTE_ADDR="198.51.100.7").status_code == 302
    assert len(mail.outbox) == 2  # no room yet: the owner's confirmation waits
    # The owner stops a confirmation they did not ask for with its own link; theirs goes out on the next run.
    client.post(links(mail.outbox[0])["unsubscribe"])
    assert send_waiting_confirmations(timezone.now()) == 1
    assert len(mail.outbox) == 3 and mine in mail.outbox[2].subject
    assert "You are following this parcel" in client.post(links(mail.outbox[2])["confirm"]).content.decode()
    assert EmailSubscription.objects.get(parcel__number=mine).confirmed_at is not None


def test_a_waiting_confirmation_goes_out_once_the_day_has_passed(client, limits):
    for number in OPEN_PARCELS[:3]:
        follow_number(client, number)
    assert len(mail.outbox) == 2
    assert send_waiting_confirmations(timezone.now()) == 0
    assert send_waiting_confirmations(timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert len(mail.outbox) == 3 and OPEN_PARCELS[2] in mail.outbox[2].subject


def test_confirming_gives_an_address_its_room_back(client, limits):
    for number in OPEN_PARCELS[:4]:
        assert follow_number(client, number).status_code == 302
        client.post(links(mail.outbox[-1])["confirm"])
    assert len(mail.outbox) == 4
    assert EmailSubscription.objects.filter(confirmed_at__isnull=False).count() == 4


@pytest.mark.parametrize(
    "address",
    [
        "root@localhost",
        "victim@[127.0.0.1]",
        "victim@[IPv6:::1]",
        "admin@printer.local",
        "admin@metadata.google.internal",
        "admin@shop.test",
        "admin@site.example",
        "admin@nowhere.invalid",
        "someone@example.com",
        "someone@mail.example.net",
        "admin@router.localhost",
        "admin@10.0.0.10",
        "admin@127.0.0.01",
        "admin@0x7f.0.0.01",
        "admin@intranet",
        "admin@\uff4cocalhost",
        "\u017fbomb@follower-mail.net",  # a local part the mail backend would send as an encoded word
    ],
)
def test_local_internal_and_reserved_destinations_are_refused(client, address):
    response = follow(client, address)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert EmailSubscription.objects.count() == 0 and mail.outbox == []


def test_an_address_stored_before_these_checks_gets_no_email():
    row = followed()
    waiting = with_email(row, "root@localhost", confirmed=False)
    with_email(row, "admin@shop.test")
    send_confirmation(waiting.pk)
    queue_notifications(row.changes.create(version=1, status="in_transit", created_at=NOW), NOW)
    report = deliver_due_notifications(NOW)
    assert mail.outbox == [] and report.removed == 1
    assert list(EmailSubscription.objects.all()) == []


def test_a_full_parcel_answers_a_new_address_as_it_answers_a_known_one(client, settings):
    tune(settings, following={"max_subscriptions_per_parcel": 2})
    for address in ("one@follower-mail.net", "two@follower-mail.net"):
        follow(client, address)
        client.post(links(mail.outbox[-1])["confirm"])
    known = follow(client, "one@follower-mail.net")
    new = follow(client, "three@follower-mail.net")
    assert known.status_code == new.status_code == 302 and known["Location"] == new["Location"]
    # Only the owner of the new address learns, from its own link, that the parcel is full.
    refused = client.post(links(mail.outbox[-1])["confirm"])
    assert refused.status_code == 409 and "This parcel cannot take more followers." in refused.content.decode()
    assert EmailSubscription.objects.filter(confirmed_at__isnull=False).count() == 2
    assert not EmailSubscription.objects.filter(address="three@follower-mail.net").exists()


def test_following_costs_the_visitors_number_budget(client, limits):
    tune(limits, rate_limits={"numbers": "2/h"})
    client.get(f"/track/dhl-ecommerce/{MOVING}/")
    assert follow(client).status_code == 302
    assert follow(client, "other@follower-mail.net").status_code == 429
