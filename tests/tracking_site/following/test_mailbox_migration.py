"""Migration 0006 keys the sign-ups stored before by their mailbox, as new ones are, and keeps one row of a parcel
where two turn out to be one inbox (the confirmed one, else the oldest)."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps

from tests.tracking_site.following.conftest import followed, with_email
from tracking_site.following.mail import address_hash, mailbox
from tracking_site.following.models import EmailSubscription

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("tracking_site.migrations.0006_following_address_hash_per_mailbox")


def stored_before(row: EmailSubscription) -> EmailSubscription:
    """The row as the site stored it before: its hash taken of the whole address."""
    EmailSubscription.objects.filter(pk=row.pk).update(address_hash=f"old-{row.pk}")
    return row


def test_rows_stored_before_are_keyed_by_mailbox_and_one_inbox_keeps_one_row_a_parcel():
    parcel, other = followed(), followed(number="GM295117494011076415")
    waiting = stored_before(with_email(parcel, "bomb+1@follower-mail.net", confirmed=False))
    confirmed = stored_before(with_email(parcel, "bomb+2@follower-mail.net", confirmed=True))
    elsewhere = stored_before(with_email(other, "Bomb+3@follower-mail.net", confirmed=False))

    MIGRATION.key_by_mailbox(apps, None)

    left = {row.pk: row.address_hash for row in EmailSubscription.objects.all()}
    assert set(left) == {confirmed.pk, elsewhere.pk}  # the waiting duplicate of the confirmed inbox is gone
    assert waiting.pk not in left
    assert left[confirmed.pk] == left[elsewhere.pk] == address_hash("bomb@follower-mail.net")


def test_the_migration_hashes_as_the_site_does_today():
    """The migration keeps its own copy of the rule (migrations must not change when mail.py does): the same today."""
    for address in ["bomb+1@follower-mail.net", "V.ictim+x@Gmail.com", "a.b@googlemail.com", "+only@x.org"]:
        assert MIGRATION.mailbox_hash(address) == address_hash(address)
    assert mailbox("V.ictim+x@Gmail.com") == "victim@gmail.com"
    assert re.fullmatch(r"[0-9a-f]{64}", address_hash("a@x.org"))
