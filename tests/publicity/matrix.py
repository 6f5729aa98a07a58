"""Authz-matrix targets for the models publicity's staff URLs load."""
from dangjian.core.models import Organization


def _notice(world, org, member):
    from dangjian.publicity.services import create_notice

    return create_notice(org=org, board="party", title="矩阵测试公告", body="正文", actor=None)


def _attachment(world, org, member):
    n = _notice(world, org, member)
    from dangjian.publicity.files import clean_attachment
    from dangjian.publicity.models import NoticeAttachment
    from dangjian.publicity.services import _add_files

    _add_files(n.latest, [clean_attachment(("a.pdf", b"%PDF-1.4\n%%EOF\n"))])
    return NoticeAttachment.objects.filter(version=n.latest).get()


def _honour(world, org: Organization, member):
    from dangjian.publicity.models import HonourEntry

    return HonourEntry.objects.create(year=2025, kind="branch", org=org, org_path=org.path, display_name=org.name,
                                      org_name=org.name, citation="事迹", selected_by_org=org.parent or org)


TARGETS = {"Notice": _notice, "NoticeAttachment": _attachment, "HonourEntry": _honour}
POST_ONLY = {"publicity-submit", "publicity-approve"}
