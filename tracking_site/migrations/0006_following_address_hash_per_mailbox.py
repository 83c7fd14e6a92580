"""Email sign-ups are keyed by their mailbox (following/mail.py `mailbox`): rows stored before are keyed again.

Two rows of one parcel that turn out to be one mailbox (`bomb+1@`, `bomb+2@`) keep one: the confirmed one, else the
oldest. The hash is written out here as it was when this migration was made, so that a later change to mail.py
cannot change what it did.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations

DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_hash(address):
    local, _at, domain = address.casefold().rpartition("@")
    local = local.split("+", 1)[0] or local
    domain = DOTLESS_DOMAINS.get(domain, domain)
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    key = hashlib.sha256(f"following-address:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{local}@{domain}".encode(), hashlib.sha256).hexdigest()


def key_by_mailbox(apps, schema_editor):
    EmailSubscription = apps.get_model("tracking_site", "EmailSubscription")
    kept = set()
    ordered = sorted(EmailSubscription.objects.all(), key=lambda row: (row.confirmed_at is None, row.pk))
    for row in ordered:
        new_hash = mailbox_hash(row.address)
        if (row.parcel_id, new_hash) in kept:
            row.delete()
            continue
        kept.add((row.parcel_id, new_hash))
        if row.address_hash != new_hash:
            row.address_hash = new_hash
            row.save(update_fields=["address_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("tracking_site", "0005_feed_manifest_number_and_carrier_site"),
    ]

    operations = [
        migrations.RunPython(key_by_mailbox, migrations.RunPython.noop),
    ]
