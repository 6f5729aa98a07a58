"""Members reach their organization through ``org_path``; SELF compares ``user``."""
from dangjian.core.policy import Resource, register

from .models import Member

register(Member, Resource("member", "org_path", self_field="user"))
