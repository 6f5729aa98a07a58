"""Elections and terms."""
