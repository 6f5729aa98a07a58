"""Organizational relationship."""
from django.apps import AppConfig

KINDS = {
    "transfers.asked": ({"zh-hans": "党员申请转接组织关系：{member}", "en": "Transfer asked by {member}"},
                        {"zh-hans": "{member}申请将组织关系由{from_org}转至{to_org}，请支部书记确认。",
                         "en": "{member} asks to move from {from_org} to {to_org}; please confirm."},
                        "/transfers/{transfer_id}/"),
    "transfers.approval_needed": ({"zh-hans": "组织关系转接待审批：{member}", "en": "Transfer awaiting approval: {member}"},
                                  {"zh-hans": "{member}的组织关系拟由{from_org}转至{to_org}，请审批。",
                                   "en": "{member}: transfer from {from_org} to {to_org} awaits your approval."},
                                  "/transfers/{transfer_id}/"),
    "transfers.letter_issued": ({"zh-hans": "组织关系介绍信已开具：{member}", "en": "Introduction letter issued: {member}"},
                                {"zh-hans": "{from_org}为{member}开具介绍信{letter_no}，转至{to_org}，有效期至{valid_until}，请及时接收。",
                                 "en": "{from_org} issued letter {letter_no} for {member} to {to_org}, valid until {valid_until}; please receive."},
                                "/transfers/in/{transfer_id}/"),
    "transfers.report_in": ({"zh-hans": "请按时报到：{to_org}", "en": "Report to {to_org} in time"},
                             {"zh-hans": "{member}同志：您的组织关系介绍信{letter_no}已开具，请于{valid_until}前到{to_org}报到。",
                              "en": "{member}: your introduction letter {letter_no} is issued; report to {to_org} by {valid_until}."},
                             ""),
    "transfers.expiring": ({"zh-hans": "介绍信即将到期：{member}", "en": "Letter about to expire: {member}"},
                           {"zh-hans": "{member}的介绍信{letter_no}（{from_org}→{to_org}）将于{valid_until}到期，请督促按时报到、及时接收。",
                            "en": "Letter {letter_no} of {member} ({from_org} → {to_org}) expires on {valid_until}; see that the member reports in."},
                           "/transfers/in/{transfer_id}/"),
    "transfers.rejected": ({"zh-hans": "组织关系转接被退回：{member}", "en": "Transfer refused: {member}"},
                           {"zh-hans": "{member}由{from_org}转至{to_org}的组织关系转接被退回，原因：{reason}（介绍信{letter_no}）",
                            "en": "The transfer of {member} from {from_org} to {to_org} was refused: {reason} (letter {letter_no})"},
                           "/transfers/{transfer_id}/"),
    "transfers.accepted": ({"zh-hans": "组织关系已接收：{member}", "en": "Transfer received: {member}"},
                           {"zh-hans": "{to_org}已接收{member}的组织关系（介绍信{letter_no}，来自{from_org}）。",
                            "en": "{to_org} received {member} (letter {letter_no}, from {from_org})."},
                           "/transfers/{transfer_id}/"),
    "transfers.expired": ({"zh-hans": "介绍信逾期未报到：{member}", "en": "Letter expired without report-in: {member}"},
                          {"zh-hans": "{member}的介绍信{letter_no}（{from_org}→{to_org}）已于{valid_until}到期，未报到。",
                           "en": "Letter {letter_no} of {member} ({from_org} → {to_org}) expired on {valid_until} without report-in."},
                          "/transfers/{transfer_id}/"),
    "transfers.receipt_overdue": ({"zh-hans": "介绍信回执逾期未退回：{member}", "en": "Letter receipt overdue: {member}"},
                                  {"zh-hans": "{member}转往{to_org}的介绍信{letter_no}回执逾期未退回（{from_org}）。",
                                   "en": "The receipt of letter {letter_no} ({member}, {from_org} → {to_org}) is overdue."},
                                  "/transfers/{transfer_id}/"),
    "transfers.no_contact": ({"zh-hans": "流动党员联系提醒：{member}", "en": "Contact reminder: {member}"},
                             {"zh-hans": "{member}：{finding}", "en": "{member}: {finding}"},
                             "/transfers/away/{record_id}/"),
    "transfers.flowing_in": ({"zh-hans": "流动党员参加本组织组织生活：{member}", "en": "Flowing member takes part in your org life: {member}"},
                             {"zh-hans": "{home_org}的流动党员{member}登记在{inflow_org}参加组织生活，请邀请其参加“三会一课”等组织生活。",
                              "en": "{member}, a flowing member of {home_org}, is registered to take part in org life at {inflow_org}; invite them to your meetings."},
                             "/transfers/flowing-in/{record_id}/"),
    "transfers.case_opened": ({"zh-hans": "待处理：{member}（{case}）", "en": "Case to decide: {member} ({case})"},
                              {"zh-hans": "{member}：{case}，请支部研究处理（系统不会自动处置）。",
                               "en": "{member}: {case}; the branch decides (the system never acts by itself)."},
                              "/transfers/cases/{case_id}/"),
}


class TransfersConfig(AppConfig):
    name = "dangjian.transfers"
    label = "transfers"
    verbose_name = "Organizational relationship"

    def ready(self):
        _register_ui()
        from dangjian.members.api import register_panel
        from dangjian.notify.api import register_kind

        from . import policies, tasks  # noqa: F401  (POLICY rows, resources; periodic jobs)
        from .selectors import member_panel

        for kind, (title, body, link) in KINDS.items():
            register_kind(kind, title=title, body=body, link=link)
        register_panel("transfers", template="transfers/_member_panel.html", context=member_panel, order=40)


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import orglinks
    from dangjian.core.models import MEMBER_HOLDING_KINDS

    orglinks.register(
        orglinks.link(orglinks.AFFAIRS, _("Transfers out"), "transfers-outgoing", "transfer", "view", order=130),
        orglinks.link(orglinks.AFFAIRS, _("Transfers in"), "transfers-incoming", "transfer_in", "view", order=140),
        orglinks.link(orglinks.AFFAIRS, _("Flowing and lost-contact members"), "transfers-away", "flowing", "view", order=150),
        orglinks.link(orglinks.AFFAIRS, _("Members flowing in"), "transfers-flowing-in", "flowing_in", "view", kinds=MEMBER_HOLDING_KINDS, order=160),
    )
