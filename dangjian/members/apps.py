from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "Members"

    def ready(self):
        _register_ui()
        from dangjian.core import population as core_population
        from dangjian.core.messages import register_kind

        from . import policies  # noqa: F401  (registers the scoping policy)
        from .population import Population

        core_population.register(Population())

        # To the organization department above both records (members.services.sensitive.route_duplicate);
        # the user who typed the number is told only that it was passed on.
        register_kind("members.duplicate_routed",
                      title={"zh-hans": "身份证号重复待处理", "en": "Duplicate ID number to resolve"},
                      body={"zh-hans": "{user}在{org}登记党员时填写的身份证号已在{existing_org}的党员信息中登记，请核实处理并告知对方。",
                            "en": "{user} entered, for {org}, an ID number already recorded for a member of {existing_org}; "
                                  "please check, resolve it and tell them."})
        # To the security admins above the user (members.services.sensitive.authorize_exact_search).
        register_kind("members.exact_search_burst",
                      title={"zh-hans": "按身份证号或手机号查询次数异常", "en": "Burst of searches by ID or phone number"},
                      body={"zh-hans": "用户{user}在{minutes}分钟内按完整身份证号或手机号查询了{n}次，详见审计日志。",
                            "en": "User {user} searched {n} times by a full ID or phone number within {minutes} minutes; "
                                  "see the audit log."})


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation

    navigation.register(
        navigation.NavItem("nav-members", _("Members"), "member-roster", "staff", order=20),
    )
