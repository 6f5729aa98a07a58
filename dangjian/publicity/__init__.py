"""Publicity boards."""
