"""Rounds: rounds, categories, stages and their timeline, proposal sections and the round dashboard's figures."""
