"""``{{ value|masked:"id_number" }}``: sensitive values are masked on every screen."""
from django import template

from dangjian.core.privacy import MASKERS

register = template.Library()


@register.filter
def masked(value, kind: str) -> str:
    return MASKERS[kind](value or "")
