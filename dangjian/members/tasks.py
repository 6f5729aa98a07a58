"""Job kinds of the members app (Huey autodiscovers ``tasks`` modules, so workers know them)."""
from .roster_xlsx import register_export_job

register_export_job()
