"""Plain SMTP email (``smtplib``), the one path for every email Juri sends (notifications,
judges' reminders), configured by ``JURI_MAIL_*`` settings: ``MAIL_SERVER`` (no server: no
email; notifications stay in the outbox, the committee copies the reminder list instead),
``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (STARTTLS), ``MAIL_USERNAME``, ``MAIL_PASSWORD`` and
``MAIL_FROM``."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping
from email.message import EmailMessage


def is_configured(config: Mapping) -> bool:
    return bool(config.get("MAIL_SERVER"))


def send_all(config: Mapping, messages: Iterable[tuple[str, str, str]]) -> int:
    """Send (to, subject, body) messages over one SMTP connection; returns how many."""
    messages = list(messages)
    if not messages or not is_configured(config):
        return 0
    sender = config.get("MAIL_FROM") or config.get("MAIL_USERNAME") or "juri@localhost"
    with smtplib.SMTP(
        config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=30
    ) as smtp:
        if str(config.get("MAIL_USE_TLS", "")).lower() in ("1", "true", "yes"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        for to, subject, body in messages:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = sender, to, subject
            msg.set_content(body)
            smtp.send_message(msg)
    return len(messages)
