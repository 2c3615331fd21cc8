"""Panels: judge panels, conflicts of interest, and the assignment of entries to judges."""
