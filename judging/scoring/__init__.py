"""Scoring: rubrics, score sheets, the judge's workspace, progress and reminders."""
