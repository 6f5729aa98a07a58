"""Organizational life."""
