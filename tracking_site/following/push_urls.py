"""Which push endpoints we accept: the browser hands us a URL and the site will POST to it.

Only https on port 443 of a public host name (public_names.py: never an IP address in any spelling, a local or
reserved name), and never credentials in the URL. The addresses a name resolves to are checked again when a
message is sent (push.py), so a name that later points inside our network is refused then.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from tracking_site.following.public_names import name_refusal

MAX_ENDPOINT_LENGTH = 1000


def endpoint_refusal(endpoint: str) -> str:
    """Why `endpoint` is refused ("" when it is acceptable)."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT_LENGTH:
        return "the endpoint is missing or too long"
    if any(ord(char) < 33 or ord(char) > 126 for char in endpoint):
        return "the endpoint holds characters a URL may not"
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "the endpoint is not a URL"
    if parts.scheme != "https":
        return "the endpoint is not https"
    if parts.username is not None or parts.password is not None:
        return "the endpoint carries credentials"
    if port not in (None, 443):
        return "the endpoint is not on port 443"
    if parts.fragment:
        return "the endpoint has a fragment"
    # urlsplit drops an IPv6 literal's brackets: name_refusal sees the address itself.
    refusal = name_refusal(parts.hostname or "")
    return f"the endpoint's host {refusal}" if refusal else ""


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet (not private, loopback, link-local, reserved...)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
