"""Democratic appraisal of members (民主评议党员, DOMAIN §6)."""
