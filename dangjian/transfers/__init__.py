"""Organizational relationship."""
