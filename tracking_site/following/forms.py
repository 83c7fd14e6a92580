"""What a follower sends us, parsed: an email address, or a browser's push subscription."""

from __future__ import annotations

import base64
import binascii
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from tracking_site.following.mail import UnsendableAddress, sendable_address
from tracking_site.following.push import PushTarget
from tracking_site.following.push_urls import endpoint_refusal

# A push subscription's JSON is a few hundred bytes; anything much longer is not one.
MAX_SUBSCRIPTION_BYTES = 4096


NOT_AN_ADDRESS = _("That does not look like an email address.")
UNSENDABLE = {
    "invalid": NOT_AN_ADDRESS,
    "not_ascii": _("This site can only send to addresses with plain letters (a to z) before the @."),
    "not_public": _("This site only sends email to addresses on the public internet."),
}


class EmailFollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": _("Type the email address to send updates to."), "invalid": NOT_AN_ADDRESS},
    )

    def clean_email(self) -> str:
        """The address in the form that is actually sent (mail.sendable_address): what is stored and limited."""
        try:
            return sendable_address(self.cleaned_data["email"])
        except UnsendableAddress as exc:
            raise forms.ValidationError(UNSENDABLE[exc.reason], code=exc.reason) from None


class SubscriptionRefused(ValueError):
    """A push subscription we will not store; the message says why, for the page's script."""


def decode_key(value: object, length: int) -> bytes:
    if not isinstance(value, str) or len(value) > 200:
        raise SubscriptionRefused("the subscription's keys are missing")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise SubscriptionRefused("the subscription's keys are not base64url") from None
    if len(raw) != length:
        raise SubscriptionRefused("the subscription's keys have the wrong length")
    return raw


def json_object(body: bytes) -> dict[str, object]:
    """The request body as a JSON object, if it is a short one."""
    if len(body) > MAX_SUBSCRIPTION_BYTES:
        raise SubscriptionRefused("the request is too long")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SubscriptionRefused("the request is not JSON") from None
    if not isinstance(data, dict):
        raise SubscriptionRefused("the request is not a JSON object")
    return data


def parse_push_subscription(body: bytes) -> PushTarget:
    """A browser's `PushSubscription.toJSON()`: an acceptable endpoint, a P-256 public key and an auth secret."""
    data = json_object(body)
    endpoint = data.get("endpoint")
    refusal = endpoint_refusal(endpoint) if isinstance(endpoint, str) else "the endpoint is missing"
    if refusal:
        raise SubscriptionRefused(refusal)
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise SubscriptionRefused("the subscription's keys are missing")
    p256dh = decode_key(keys.get("p256dh"), 65)
    if p256dh[0] != 0x04:
        raise SubscriptionRefused("the subscription's key is not an uncompressed P-256 point")
    decode_key(keys.get("auth"), 16)
    return PushTarget(endpoint=str(endpoint), p256dh=str(keys["p256dh"]), auth=str(keys["auth"]))


def parse_push_endpoint(body: bytes) -> str:
    """The endpoint of a subscription a browser wants to stop."""
    endpoint = json_object(body).get("endpoint")
    if not isinstance(endpoint, str) or endpoint_refusal(endpoint):
        raise SubscriptionRefused("the endpoint is missing or not acceptable")
    return endpoint
