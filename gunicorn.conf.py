"""gunicorn settings: `gunicorn tracking_site.wsgi` picks this file up from the project folder.

Threaded workers (gthread). A visitor whose parcel is being fetched waits, blocked on Redis, for the answer another
request's call brings (tracking_site/lookup/gatherer.py): cheap for the machine, but one thread each, so a
worker has many (bench/RESULTS.md: why threads and not ASGI, and why this many). Public pages never hold a
database connection (the feed store is read on a small pool of its own), so threads do not multiply connections.
Several workers (and machines) share the cache, the gatherer's queues, budgets and OAuth tokens through Redis.
"""

import glob
import os
import shutil
import tempfile

from tracking_site.environment import read_environment

# Workers and threads as the site's settings see them (environment.py computes the defaults once, for both).
_environment = read_environment().values
bind = "0.0.0.0:8000"  # gunicorn's own --bind (or GUNICORN_CMD_ARGS) chooses another, e.g. 127.0.0.1:8000
workers = _environment.WEB_CONCURRENCY
worker_class = "gthread"
threads = _environment.GUNICORN_THREADS
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
# Access log without the request path: paths carry tracking numbers, which logs show only shortened.
accesslog = "-"
access_log_format = '%(h)s "%(m)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# Which proxies' X-Forwarded-* gunicorn believes: gunicorn's own FORWARDED_ALLOW_IPS (default: this machine).

# Prometheus multiprocess mode: each worker writes its metrics to files here and /metrics adds them up. Set before
# any worker starts (they inherit it); a folder of our own unless PROMETHEUS_MULTIPROC_DIR names one.
_made_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tracking-metrics-")


def on_starting(server):
    """A previous run's values would be added to this one's: start from an empty folder."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for stale in glob.glob(os.path.join(directory, "*.db")):
        os.remove(stale)


def post_worker_init(worker):
    """Ready before the first visitor: code loaded, clients built, stores connected, OAuth tokens fetched."""
    from tracking_site.lookup.warm import warm_up

    warm_up()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
