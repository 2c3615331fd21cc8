"""Accounts: users and their organisations, logging in, sessions, passwords and their reset, the committee's account list and account import."""
