"""Notifications: the outbox and its delivery by e-mail."""
