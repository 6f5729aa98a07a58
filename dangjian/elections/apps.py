"""Elections and terms."""
from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "dangjian.elections"
    label = "elections"
    verbose_name = "Elections and terms"

    def ready(self):
        _register_ui()
        from dangjian.notify.api import register_kind

        from . import policies, tasks  # noqa: F401  (POLICY rows, resources; periodic jobs)

        register_kind("elections.term_ending",
                      title={"zh-hans": "换届提醒：{org}", "en": "Term ending: {org}"},
                      body={"zh-hans": "{org}本届任期将于{ends_on}届满，请提前做好换届选举准备（届满前6个月提醒）。",
                            "en": "The term of {org} ends on {ends_on}; prepare the re-election (6-month reminder)."},
                      link="/elections/org/{org_id}/")
        register_kind("elections.adjust_request",
                      title={"zh-hans": "延期/提前换届待审批：{org}", "en": "Term adjustment to approve: {org}"},
                      body={"zh-hans": "{org}申请将任期届满日由{old}调整为{new}，请审批。",
                            "en": "{org} asks to move its term end from {old} to {new}; please decide."},
                      link="/elections/adjustments/{adjustment_id}/")


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import orglinks
    from dangjian.core.orglinks import LEADING

    orglinks.register(
        orglinks.link(orglinks.AFFAIRS, _("Committee and term"), "elections-org", "election", "view", order=170),
        orglinks.link(orglinks.AFFAIRS, _("Terms below"), "elections-terms", "election", "view", kinds=LEADING, order=180),
    )
