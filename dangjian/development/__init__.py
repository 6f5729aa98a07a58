"""Member development."""
