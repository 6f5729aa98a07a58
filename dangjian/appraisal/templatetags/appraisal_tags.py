from django import template
from django.template.loader import render_to_string

from dangjian.appraisal.models import STAGE_ORDER, Stage

register = template.Library()


@register.simple_tag
def stage_steps(r):
    return render_to_string("appraisal/_stage.html", {"r": r, "stages": [Stage(s) for s in STAGE_ORDER]})


@register.filter
def get_item(d, key):
    return d.get(key) if hasattr(d, "get") else None
