"""`manage.py vapid_key`: prints a new VAPID private key for the VAPID_PRIVATE_KEY setting."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tracking_site.following.vapid import new_private_key


class Command(BaseCommand):
    help = "Print a new VAPID private key (base64url); keep it secret, set it as VAPID_PRIVATE_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(new_private_key())
