"""Page weight: the bytes a visitor downloads for a parcel page (HTML + CSS + JS), gzipped as served.

Whitenoise serves static files pre-compressed (gzip level 9) in production; the HTML is compressed by the
proxy in front (same gzip). No web fonts, images or third-party assets are referenced. Target: < 50 kB.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import gzip
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking_site.settings")
os.environ.setdefault("TRACKING_DEMO", "1")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from carriers.demo import demo_numbers  # noqa: E402

TARGET_BYTES = 50_000
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')
# What a browser fetches by itself: scripts, images, frames, media, stylesheets and icons. Links a visitor may
# follow (a carrier's own tracking page) are not assets.
FETCHED_FROM_ELSEWHERE = re.compile(
    r'<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\ssrc="(?:https?:)?//|<link\b[^>]*\shref="(?:https?:)?//',
    re.I,
)


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9))


def weigh(client: Client, path: str) -> list[tuple[str, int, int]]:
    """(resource, raw bytes, gzipped bytes) for a page and every stylesheet and script it loads."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.content
    assert not FETCHED_FROM_ELSEWHERE.search(html.decode()), "a third-party asset is referenced"
    rows = [(path, len(html), gzipped(html))]
    for asset in ASSET.findall(html.decode()):
        body = b"".join(client.get(asset).streaming_content)
        rows.append((asset, len(body), gzipped(body)))
    return rows


def main() -> int:
    client = Client()
    numbers = demo_numbers()
    pages = [f"/track/dhl-ecommerce/{number}/" for number, _ in numbers["dhl-ecommerce"][:3]]
    pages += [f"/track/nzpost/{number}/" for number, _ in numbers["nzpost"][:3]]
    pages.append("/track/?q=" + ",".join(number for number, _ in numbers["dhl-ecommerce"]))
    worst = 0
    for path in pages:
        rows = weigh(client, path)
        total_raw = sum(raw for _, raw, _ in rows)
        total_gzip = sum(packed for _, _, packed in rows)
        worst = max(worst, total_gzip)
        print(f"{path}")
        for resource, raw, packed in rows:
            print(f"    {resource:<60} {raw:>7,} B raw {packed:>7,} B gzip")
        print(f"    {'total transferred':<60} {total_raw:>7,} B raw {total_gzip:>7,} B gzip")
    verdict = "under" if worst < TARGET_BYTES else "OVER"
    print(f"heaviest page: {worst:,} B gzip transferred, {verdict} the {TARGET_BYTES:,} B target")
    return 0 if worst < TARGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
