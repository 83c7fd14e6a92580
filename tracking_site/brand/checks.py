"""The brand file is checked at start: `manage.py` commands run Django's system checks (`make run` and every
deploy run `migrate`), and gunicorn's workers run these before serving (tracking_site/wsgi.py), so a bad file
never reaches a visitor. Each problem names its key, and a colour that fails its contrast names the ratio.

An accent_dark left out is derived, and the log says which shade (current.py); an accent given that fails is an
error, with the nearest shade that passes: the operator chose that colour, and a silent change would surprise.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from tracking_site.brand.current import brand_path, read_brand
from tracking_site.brand.parse import BrandInvalid

TAG = "brand"


@checks.register(TAG)
def check_brand(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        read_brand()
    except BrandInvalid as exc:
        return [
            checks.Error(f"SITE_BRAND {brand_path()}: {problem}", id="tracking_site.brand.E001")
            for problem in exc.problems
        ]
    return []


def refuse_a_broken_brand() -> None:
    """Stops a gunicorn worker from starting with a brand file the checks refuse, saying why."""
    if problems := check_brand():
        raise ImproperlyConfigured("\n".join(str(problem.msg) for problem in problems))
