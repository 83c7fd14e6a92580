"""Which host names are on the public internet: the one rule for push endpoints and email domains.

The site sends to names strangers give it (a browser's push endpoint, a follower's email domain). A name only a
local resolver knows, a name reserved for tests and examples (RFC 2606, RFC 6761), a domain literal, or an IP
address in any spelling is refused before anything is stored, so nothing is ever sent inside our network.
"""

from __future__ import annotations

import ipaddress
import re

# Names that never belong to a public service: local ones, and those reserved so they can never be.
NON_PUBLIC_SUFFIXES = (
    ".localhost",
    ".local",
    ".localdomain",
    ".internal",
    ".intranet",
    ".lan",
    ".home.arpa",
    ".corp",
    ".test",
    ".example",
    ".invalid",
)
# Second-level names RFC 2606 reserves for documentation: they resolve, but no one's mail or push lives there.
RESERVED_EXAMPLE_NAMES = ("example.com", "example.net", "example.org")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# A URL parser (WHATWG's, which browsers and many HTTP clients follow) reads a name whose last label is a number
# as an IPv4 address: 127.1, 127.0.1, 0x7f.0.0.1 and 0177.0.0.1 are all 127.0.0.1, and 0.0 is 0.0.0.0.
NUMERIC_LABEL = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")


def name_refusal(host: str) -> str:
    """Why `host` is no public name, as the end of a sentence ("is an IP address"); "" when it is one."""
    host = host.lower().rstrip(".")
    if not host:
        return "is missing"
    if host.startswith("["):
        return "is an address literal"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return "is an IP address"
    if NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]):
        return "is an IP address"
    if host == "localhost" or host.endswith(NON_PUBLIC_SUFFIXES) or "." not in host:
        return "is not a public name"
    if any(host == name or host.endswith("." + name) for name in RESERVED_EXAMPLE_NAMES):
        return "is not a public name"
    if not all(HOST_LABEL.match(label) for label in host.split(".")):
        return "is not a valid name"
    return ""
