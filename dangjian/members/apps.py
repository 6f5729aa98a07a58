from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "Members"

    def ready(self):
        from . import policies  # noqa: F401  (registers the scoping policy)
