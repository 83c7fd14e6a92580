"""WSGI entry point: `gunicorn tracking_site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking_site.settings")

application = get_wsgi_application()

# gunicorn runs no system checks: a brand file they would refuse stops the worker here, with the reason.
from tracking_site.brand.checks import refuse_a_broken_brand  # noqa: E402 - needs the apps loaded above

refuse_a_broken_brand()
