"""gunicorn settings for a provincial or national deployment: `gunicorn` in the repo root.

Every value can be overridden by the environment (GUNICORN_CMD_ARGS or the variables below)."""

import multiprocessing
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("JURI_BIND", "127.0.0.1:8000")
# Sync workers: each request is short and the database does the waiting.
workers = int(os.environ.get("JURI_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("JURI_THREADS", 1))
timeout = 60
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then: bounded memory
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("JURI_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Compile the busiest pages' templates and load the translations before the worker's
    first request (app.warm_up), not inside it. A failure is logged, never fatal: the pages
    then compile on demand, as without this hook."""
    if not hasattr(worker.wsgi, "jinja_env"):  # gunicorn's error app: the app did not load
        return
    from app import warm_up

    try:
        warm_up(worker.wsgi)
    except Exception:  # noqa: BLE001 - e.g. a template that does not compile: its page says so
        worker.log.exception("warming up the templates failed")
