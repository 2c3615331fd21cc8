"""Translated labels and locale-aware formatting shared by every page."""
