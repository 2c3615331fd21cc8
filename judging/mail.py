"""Email for reminders: the SMTP code lives in ``competition.mail`` (one path for every email)."""

from competition.mail import is_configured, send_all

__all__ = ["is_configured", "send_all"]
