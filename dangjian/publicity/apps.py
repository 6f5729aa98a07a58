from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "dangjian.publicity"
    label = "publicity"
    verbose_name = "Publicity boards"

    def ready(self):
        _register_ui()
        from dangjian.notify.api import register_kind

        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)

        register_kind(
            "publicity.submitted",
            title={"zh-hans": "待审批的公开事项：{title}", "en": "Notice to approve: {title}"},
            body={"zh-hans": "{org}的公开事项“{title}”（第{version}版）已提交，请审核后发布。",
                  "en": "The notice \"{title}\" of {org} (version {version}) was submitted; please review and publish it."},
            link="/publicity/notice/{notice_id}/",
        )
        register_kind(
            "publicity.returned",
            title={"zh-hans": "公开事项被退回：{title}", "en": "Notice returned: {title}"},
            body={"zh-hans": "公开事项“{title}”（第{version}版）被退回修改，原因：{reason}",
                  "en": "The notice \"{title}\" (version {version}) was returned for changes: {reason}"},
            link="/publicity/notice/{notice_id}/",
        )


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation, orglinks

    navigation.register(
        navigation.NavItem("nav-publicity", _("Publicity"), "publicity-home", "staff", order=70),
        navigation.NavItem("nav-public-boards", _("Village affairs publicity"), "publicity-public-index", "public", order=10),
    )
    orglinks.register(
        orglinks.link(orglinks.PUBLIC, _("Publicity board"), "publicity-org", "publicity", "view", order=190),
    )
