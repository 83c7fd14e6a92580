"""WSGI entry point: `gunicorn tracking_site.wsgi`.

gunicorn runs no system checks: each worker runs them here, before it serves anyone, so a configuration error
(a misspelled variable, a value of the wrong type, tuning that contradicts itself) stops the site at start with
the checks' own words instead of failing a visitor's request.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking_site.settings")

application = get_wsgi_application()

from tracking_site.checks import stop_on_configuration_errors  # noqa: E402 - needs the apps loaded above

stop_on_configuration_errors()
