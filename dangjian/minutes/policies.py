"""This app's scoped resources. Minutes use orglife's ``meeting`` resource (declared in
dangjian/orglife/policies.py: view / record / sign_off / print), so a record, its votes and its
attachments are visible exactly where their meeting is."""
from dangjian.core.policy import Resource, register

from .models import Attachment, MeetingRecord, Vote

register(MeetingRecord, Resource("meeting", "org_path"))
register(Vote, Resource("meeting", "org_path"))
register(Attachment, Resource("meeting", "org_path"))
