"""Absolute links that leave the site (mails, PDFs, QR codes, API answers, exports).

They are built from the configured public address (``JURI_PUBLIC_URL``, e.g.
``https://inovasi.palembang.go.id``), never from the request's ``Host`` header: a client that
sends ``Host: evil.example`` must not get a password-reset link to its own site mailed to
someone else (host header injection). Relative links inside pages keep using ``url_for``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from flask import current_app

# Used when no public address is configured: development on ``make run`` (and the CLI).
DEVELOPMENT_URL = "http://127.0.0.1:5000"


def configured_public_url(config: Mapping) -> str:
    """The public address the deployment configured (``PUBLIC_URL`` or the older ``BASE_URL``),
    with a scheme (https when none is given) and without a trailing slash; empty when none is
    configured."""
    url = str(config.get("PUBLIC_URL") or config.get("BASE_URL") or "").strip().rstrip("/")
    if url and "://" not in url:  # "inovasi.example.go.id" typed without its scheme
        url = "https://" + url
    return url


def base_url(config: Mapping | None = None) -> str:
    """The address absolute links start with: the configured one, else the development one."""
    config = current_app.config if config is None else config
    return configured_public_url(config) or DEVELOPMENT_URL


def is_configured() -> bool:
    return bool(configured_public_url(current_app.config))


def public_url(endpoint: str, /, **values) -> str:
    """The absolute URL of ``endpoint`` (a full ``blueprint.view`` name) under the public address.

    Works inside and outside a request; ``_anchor`` is supported like in ``url_for``. The
    request's host and script root are ignored on purpose (see the module docstring)."""
    app = current_app
    base = urlsplit(base_url(app.config))
    anchor = values.pop("_anchor", None)
    values = {k: v for k, v in values.items() if v is not None}
    app.inject_url_defaults(endpoint, values)
    adapter = app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="%!#$&'()*+,/:;=?@")
    return url
