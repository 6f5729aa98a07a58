"""Elections and terms."""
from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "dangjian.elections"
    label = "elections"
    verbose_name = "Elections and terms"

    def ready(self):
        _register_ui()
        from dangjian.core.messages import register_kinds

        from . import policies, tasks  # noqa: F401  (POLICY rows, resources; periodic jobs)
        from .messages import KINDS

        register_kinds(KINDS)

def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import orglinks
    from dangjian.core.orglinks import LEADING

    orglinks.register(
        orglinks.link(orglinks.AFFAIRS, _("Committee and term"), "elections-org", "election", "view", order=170),
        orglinks.link(orglinks.AFFAIRS, _("Terms below"), "elections-terms", "election", "view", kinds=LEADING, order=180),
    )
