"""``{% load publicity_pii %}``: the public pages' second line of defence for rule P6.

Every notice is checked when it is saved, submitted and approved; a version approved before the
rule existed could still hold a number. On the public pages ``{{ text|public_text:version }}``
masks every valid ID number, and every mobile number unless that version carries the author's
"public contact numbers" confirmation; ``{{ text|public_text }}`` (honour citations, file names)
masks both. Autoescaping is unaffected (the result is plain text).
"""
from django import template

from dangjian.publicity.pii import mask_numbers

register = template.Library()


@register.filter
def public_text(text, version=None):
    return mask_numbers(str(text or ""), phones=not getattr(version, "public_phones", False))
