"""Party dues."""
