"""Members reach their organization through ``org_path``; SELF compares ``user``. A rights
restriction is seen and changed exactly where its member is (its ``org_path`` follows the member)."""
from dangjian.core.policy import Resource, register

from .models import Member, RightsRestriction

register(Member, Resource("member", "org_path", self_field="user"))
register(RightsRestriction, Resource("member", "org_path", self_field="member__user"))
