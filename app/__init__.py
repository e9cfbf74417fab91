"""Murmur: a self-hosted, real-time social feed."""
