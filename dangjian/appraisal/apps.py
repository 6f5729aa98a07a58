from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "dangjian.appraisal"
    label = "appraisal"
    verbose_name = "Democratic appraisal of members"

    def ready(self):
        _register_ui()
        from dangjian.members.api import register_panel
        from dangjian.notify.api import register_kind

        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)
        from .panels import member_panel_context

        register_kind("appraisal.self_open",
                      title={"zh-hans": "{year}年度民主评议党员开始：请撰写自我评议", "en": "Democratic appraisal {year}: write your self-appraisal"},
                      body={"zh-hans": "{org}{year}年度民主评议党员已开始，请登录撰写个人自我评议材料。",
                            "en": "The {year} democratic appraisal of members of {org} has begun; please write your self-appraisal."},
                      link="/appraisal/mine/")
        register_kind("appraisal.assessment_open",
                      title={"zh-hans": "{year}年度民主测评开始：请投票", "en": "Democratic assessment {year}: please vote"},
                      body={"zh-hans": "{org}{year}年度民主评议党员进入民主测评（无记名），请登录对参加评议的党员（含本人）逐一测评。",
                            "en": "The {year} appraisal of {org} has reached the democratic assessment (anonymous ballot); please rate every member appraised, yourself included."},
                      link="/appraisal/mine/")
        register_kind("appraisal.self_reminder",
                      title={"zh-hans": "提醒：请撰写{year}年度自我评议", "en": "Reminder: your self-appraisal {year}"},
                      body={"zh-hans": "{org}{year}年度民主评议党员正在进行个人自评，您尚未提交自我评议材料。",
                            "en": "The {year} appraisal of {org} is at the self-appraisal stage; yours is not written yet."},
                      link="/appraisal/mine/")
        register_kind("appraisal.vote_reminder",
                      title={"zh-hans": "提醒：{year}年度民主测评尚未投票", "en": "Reminder: democratic assessment {year}"},
                      body={"zh-hans": "{org}{year}年度民主测评（无记名）正在进行，您尚未投票。",
                            "en": "The {year} democratic assessment (anonymous) of {org} is open and you have not voted yet."},
                      link="/appraisal/mine/")
        register_kind("appraisal.correction_due",
                      title={"zh-hans": "限期改正即将到期：{member}", "en": "限期改正 ends soon: {member}"},
                      body={"zh-hans": "{member}的限期改正将于{date}到期，请支部做好帮教并准备评估改正情况。",
                            "en": "The time limit for {member} to correct (限期改正) ends on {date}: continue the help and prepare the review."},
                      link="/appraisal/case/{case_id}/")
        register_kind("appraisal.correction_ended",
                      title={"zh-hans": "限期改正已到期：{member}", "en": "限期改正 has ended: {member}"},
                      body={"zh-hans": "{member}的限期改正已于{date}到期，请支部评估改正情况并按程序作出处理。",
                            "en": "The time limit for {member} to correct (限期改正) ended on {date}: the branch reviews whether they corrected and decides by procedure."},
                      link="/appraisal/case/{case_id}/")
        from . import tasks  # noqa: F401  (daily 限期改正 reminders)

        register_panel("appraisal-grades", template="appraisal/_member_panel.html", context=member_panel_context, order=60)


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation, orglinks
    from dangjian.core.orglinks import BRANCH_LIKE, LEADING

    navigation.register(
        navigation.NavItem("nav-my-appraisal", _("My appraisal"), "appraisal-mine", "member", order=30),
    )
    orglinks.register(
        orglinks.link(orglinks.ORG_LIFE, _("Democratic appraisal"), "appraisal-org", "appraisal", "view", kinds=BRANCH_LIKE, order=70),
        orglinks.link(orglinks.ORG_LIFE, _("Appraisal overview"), "appraisal-overview", "appraisal", "overview", kinds=LEADING, order=80),
    )
