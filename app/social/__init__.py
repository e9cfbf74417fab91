"""Follows, likes, comments, profiles and notifications."""
