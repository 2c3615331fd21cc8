"""Announcements of a stage's result and the public objection period (uji publik)."""
