"""Meeting records."""
