"""Rounds: rounds, categories, stages and their timeline, proposal sections, who may enter, and
round copy. The committee's round pages list the round's entries, so they live in
``competition.entries.round_views``."""
