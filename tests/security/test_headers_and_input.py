"""Security headers, a Content-Security-Policy without inline script (and templates that need
none), and a friendly 413 showing the limit."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_page_sends_the_security_headers(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["X-Frame-Options"] == "DENY"
    login = client.get("/login")
    assert login.headers["Content-Security-Policy"] == csp


def test_templates_have_no_inline_script_or_event_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    scheme = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)
    bad = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (inline, handler, scheme):
            bad += [
                f"{path.relative_to(TEMPLATES)}: {m.group(0)[:60]}" for m in pattern.finditer(text)
            ]
    assert bad == []


def test_request_over_the_limit_gets_a_friendly_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = client.post("/login", data={"username": "x" * 4000, "password": "y"})
    assert r.status_code == 413
    assert "1 KB" in r.text and "<html" in r.text.lower()
    assert "Tidak ada yang disimpan" in r.text or "tidak ada yang disimpan" in r.text
