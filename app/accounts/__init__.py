"""Accounts: sign-up, log-in, sessions."""
