"""Every [block] rule of DOMAIN §11 "Member development" on both sides of its boundary, and the
warnings stored when a step is late. A refusal names the rule id, its article and rule version,
and writes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from dangjian.core import policy
from dangjian.core.dates import same_day_months_later
from dangjian.core.errors import codes
from dangjian.core.models import AuditEvent
from dangjian.development import services
from dangjian.development.models import CasePublicity, CaseStep, CaseWarning, DevelopmentCase
from dangjian.members.models import Member

from .helpers import BIRTH, TIMELINE, VOTE, advance, applicant, full_members, open_case, record

D = dt.date


def refused(fn, rule_id: str):
    """Call ``fn``; assert it is refused with the code ``rule_id``, citing it, and that nothing was written."""
    before = (CaseStep.objects.count(), AuditEvent.objects.count(), CaseWarning.objects.count(), Member.objects.count(),
              CasePublicity.objects.count())
    with pytest.raises(ValidationError) as exc:
        fn()
    assert rule_id in codes(exc.value), codes(exc.value)
    text = " ".join(exc.value.messages)
    assert rule_id in text, text  # the message cites the rule (rules.cite)
    assert (CaseStep.objects.count(), AuditEvent.objects.count(), CaseWarning.objects.count(), Member.objects.count(),
            CasePublicity.objects.count()) == before
    return text


# -- age 18 -------------------------------------------------------------------------------------
def test_age18_day_before_refused_birthday_accepted(world):
    birth = D(2005, 6, 15)
    text = refused(lambda: open_case(world, application_date=D(2023, 6, 14), birth_date=birth), "age18")
    assert "细则(2026) art. 5" in text and "2026.05" in text
    assert not DevelopmentCase.objects.exists()
    case = open_case(world, application_date=D(2023, 6, 15), birth_date=birth)
    assert case.last_code == 1


def test_age18_leap_day_birth(world):
    birth = D(2004, 2, 29)
    refused(lambda: open_case(world, application_date=D(2022, 2, 28), birth_date=birth), "age18")
    assert open_case(world, application_date=D(2022, 3, 1), birth_date=birth)


# -- order --------------------------------------------------------------------------------------
def test_steps_cannot_be_skipped_repeated_or_dated_backwards(world):
    case = open_case(world)
    refused(lambda: record(world, case, 3), "step_order")  # skip 2
    refused(lambda: record(world, case, 1), "step_order")  # repeat 1
    refused(lambda: record(world, case, 2, date=TIMELINE[1] - dt.timedelta(days=1)), "step_order")  # before step 1
    record(world, case, 2, date=TIMELINE[1])  # same day is fine
    refused(lambda: record(world, case, 2), "step_order")  # repeat 2


def test_future_dates_refused(world):
    case = open_case(world)
    with pytest.raises(ValidationError):
        record(world, case, 2, date=dt.date.today() + dt.timedelta(days=2))


def test_upper_committee_steps_need_the_upper_committee(world):
    case = advance(world, open_case(world), 3)
    text = refused(lambda: record(world, case, 4, actor=world.users["secretary"]), "human_conclusion")
    assert "upper Party committee" in text
    record(world, case, 4, actor=world.users["town_admin"])


def test_no_system_or_unauthorised_entries(world):
    case = open_case(world)
    refused(lambda: services.record_step(actor=None, case=case, code=2, date=TIMELINE[2]), "human_conclusion")
    # who may not act here at all is refused by the policy (decisions.md 38), before any domain rule
    for who in ("secretary2", "member"):  # another branch's secretary; a member without the role
        before = (CaseStep.objects.count(), AuditEvent.objects.count())
        with pytest.raises(policy.NotPermitted) as exc:
            record(world, case, 2, actor=world.users[who])
        assert exc.value.code == "not_permitted"
        assert (CaseStep.objects.count(), AuditEvent.objects.count()) == before


# -- talk within 1 month (warn) -------------------------------------------------------------------
def test_late_talk_is_stored_as_warning(world):
    case = open_case(world, application_date=D(2023, 3, 1))
    record(world, case, 2, date=D(2023, 4, 1))
    assert not CaseWarning.objects.filter(case=case).exists()
    case2 = open_case(world, application_date=D(2023, 3, 1), name="吴迟到")
    record(world, case2, 2, date=D(2023, 4, 2))
    w = CaseWarning.objects.get(case=case2)
    assert w.rule_id == "talk_1m" and w.rule_version == "2026.05"


# -- training contacts ----------------------------------------------------------------------------
def test_training_contacts_one_or_two_full_members(world):
    case = advance(world, open_case(world), 4)
    three = [m.pk for m in full_members(world, 3)]
    refused(lambda: record(world, case, 5, data={"contacts": three}), "contacts_1_2")
    refused(lambda: record(world, case, 5, data={"contacts": []}), "contacts_1_2")
    refused(lambda: record(world, case, 5, data={"contacts": [world.m_probationary.pk]}), "contacts_1_2")
    record(world, case, 5, data={"contacts": three[:2]})


# -- activist ≥ 1 year ------------------------------------------------------------------------------
@override_settings(DANGJIAN_DEVELOPMENT_2026_ITEMS={"publicity_object": False})
def test_activist_one_year_boundary(world):
    case = advance(world, open_case(world), 6, publicity=False)
    assert not case.pack.on("publicity_object")
    text = refused(lambda: record(world, case, 7, date=D(2024, 7, 2)), "activist_1y")  # activist 2023-07-03
    assert "2024-07-03" in text
    record(world, case, 7, date=D(2024, 7, 3))


# -- publicity in working days -------------------------------------------------------------------
def test_publicity_required_before_development_object(world):
    case = advance(world, open_case(world), 6, publicity=False)
    refused(lambda: record(world, case, 7), "publicity_object")


def test_decision_inside_publicity_window_across_national_day(world):
    """Publicity posted Mon 2024-09-30: working days 30 Sep, then 1–7 Oct are the National Day
    holiday, Tue 8, Wed 9, Thu 10, Fri 11 Oct → the window ends on 11 Oct (Sat 12 Oct 2024 is an
    adjusted working day but the fifth day is already reached)."""
    case = advance(world, open_case(world, application_date=D(2023, 3, 1)), 6, publicity=False)
    pub = services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2024, 9, 30), offline=True)
    assert services.workdays.publicity_window(pub.starts_on, 5, case.org_path) == (D(2024, 9, 30), D(2024, 10, 11))
    refused(lambda: record(world, case, 7, date=D(2024, 10, 11)), "publicity_object")
    record(world, case, 7, date=D(2024, 10, 12))


def test_local_holiday_lengthens_the_window(world):
    services.set_local_day(actor=world.users["county_admin"], org=world.county, date=D(2024, 7, 3), is_working_day=False, note="县庆")
    case = advance(world, open_case(world), 6, publicity=False)
    services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2024, 7, 1), offline=True)
    refused(lambda: record(world, case, 7, date=D(2024, 7, 8)), "publicity_object")  # window now ends Mon 8 Jul
    record(world, case, 7, date=D(2024, 7, 9))


def test_publicity_notice_has_no_id_number_or_phone(world):
    case = advance(world, open_case(world), 6, publicity=False)
    pub = services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2024, 7, 1), offline=True)
    assert case.name in pub.text and "拟确定为发展对象" in pub.text
    assert case.id_number not in pub.text and case.phone not in pub.text
    assert case.id_number[-4:] not in pub.text
    refused(lambda: services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2024, 7, 2), offline=True),
            "publicity_object")  # once per point


def test_2014_pack_has_no_publicity_requirement(world):
    with override_settings(DANGJIAN_DEVELOPMENT_RULE_PACK="2014"):
        case = open_case(world)
    assert case.rule_pack == "2014.05"
    case = advance(world, case, 7, publicity=False)
    assert case.last_code == 7


# -- introducers -----------------------------------------------------------------------------------
def test_two_full_member_introducers(world):
    case = advance(world, open_case(world), 8)
    a, b = full_members(world, 2)
    refused(lambda: record(world, case, 9, data={"introducers": [a.pk]}), "introducers_2_full")
    refused(lambda: record(world, case, 9, data={"introducers": [a.pk, a.pk]}), "introducers_2_full")
    text = refused(lambda: record(world, case, 9, data={"introducers": [a.pk, world.m_probationary.pk]}), "introducers_2_full")
    assert world.m_probationary.name in text
    record(world, case, 9, data={"introducers": [a.pk, b.pk]})


@pytest.mark.parametrize("ends_on, allowed", [(D(2024, 7, 11), True), (D(2024, 7, 12), False), (None, False)])
def test_introducer_under_party_probation_refused_until_rights_restored(world, ends_on, allowed):
    """细则 art. 15 / DOMAIN §4.2: a member under 留党察看 whose rights are not restored cannot
    introduce. Step 9 is dated 2024-07-12: a restriction that ended the day before no longer counts."""
    from dangjian.members import services as member_services

    case = advance(world, open_case(world), 8)
    a, b = full_members(world, 2)
    member_services.add_restriction(actor=None, member=b, kind="probation", starts_on=D(2023, 7, 12), ends_on=ends_on)
    if allowed:
        record(world, case, 9, data={"introducers": [a.pk, b.pk]})
        assert CaseStep.objects.filter(case=case, code=9).exists()
    else:
        text = refused(lambda: record(world, case, 9, data={"introducers": [a.pk, b.pk]}), "introducers_2_full")
        assert b.name in text and "留党察看" in text


# -- political review ------------------------------------------------------------------------------
def test_political_review_conclusion_required_and_must_pass(world):
    case = advance(world, open_case(world), 9)
    refused(lambda: record(world, case, 10, conclusion=""), "political_review")
    record(world, case, 10, conclusion="failed")
    case.refresh_from_db()
    refused(lambda: record(world, case, 11), "political_review")


# -- training ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("days,hours,ok", [(2, 23, False), (2.5, 23.5, False), (3, 0, True), (0, 24, True), (2, 24, True)])
def test_training_three_days_or_24_hours(world, days, hours, ok):
    case = advance(world, open_case(world), 10)
    call = lambda: record(world, case, 11, data={"training_days": days, "training_hours": hours})  # noqa: E731
    if ok:
        call()
    else:
        refused(call, "training_3d_24h")


# -- pre-review, vote, 1 month ------------------------------------------------------------------------
def test_admission_vote_needs_a_passed_prereview(world):
    case = advance(world, open_case(world), 12)
    refused(lambda: record(world, case, 13, conclusion=""), "prereview_before_vote")
    record(world, case, 13, conclusion="failed")
    case.refresh_from_db()
    refused(lambda: record(world, case, 14), "prereview_before_vote")


def test_vote_must_carry(world):
    case = advance(world, open_case(world), 14)
    bad = {"voters_total": 10, "voters_present": 5, "yes": 5, "no": 0, "abstain": 0}
    refused(lambda: record(world, case, 15, data=bad), "vote_majority")  # 5 of 10 present: no quorum
    low = {"voters_total": 10, "voters_present": 8, "yes": 5, "no": 3, "abstain": 0}
    refused(lambda: record(world, case, 15, data=low), "vote_majority")  # 5 yes of 10: not more than half
    ok = {"voters_total": 10, "voters_present": 6, "yes": 4, "no": 0, "abstain": 0, "written_yes": 2, "written_total": 2}
    record(world, case, 15, data=ok)


def test_meeting_more_than_a_month_after_prereview_warns(world):
    case = advance(world, open_case(world), 14)  # pre-review 2024-09-10
    record(world, case, 15, date=D(2024, 10, 11))
    assert CaseWarning.objects.filter(case=case, rule_id="meeting_1m_after_prereview").exists()


def test_admission_decision_inside_publicity_window_refused(world):
    case = advance(world, open_case(world), 14)  # admission publicity 2024-09-11 → 18 (Mid-Autumn)
    refused(lambda: record(world, case, 15, date=D(2024, 9, 18)), "publicity_admission")
    record(world, case, 15, date=D(2024, 9, 19))


# -- approval within 3 / 6 months -----------------------------------------------------------------------
@pytest.mark.parametrize("date,rule", [(D(2024, 12, 20), None), (D(2024, 12, 21), "approval_3m"), (D(2025, 3, 20), "approval_3m"),
                                       (D(2025, 3, 21), "approval_6m")])
def test_approval_late_warnings(world, date, rule):
    case = advance(world, open_case(world), 16)  # 支部大会 2024-09-20
    record(world, case, 17, date=date)
    rules = list(CaseWarning.objects.filter(case=case, step_code=17).values_list("rule_id", flat=True))
    assert rules == ([rule] if rule else [])


# -- probation, conversion, extension -----------------------------------------------------------------------
def test_conversion_not_before_probation_end(world):
    case = advance(world, open_case(world), 22)
    refused(lambda: record(world, case, 23, date=D(2025, 9, 19)), "conversion_after_expiry")  # ends 2025-09-20 (Sat)
    record(world, case, 23, date=D(2025, 9, 20))


def extend(world, case, date, months=6, vote=None, actor="town_admin"):
    return services.extend_probation(actor=world.users[actor], case=case, date=date, months=months, vote=dict(VOTE) if vote is None else vote)


def error_codes(exc) -> dict:
    """{field or None: [codes]} of a ValidationError."""
    err = exc.value
    if hasattr(err, "error_dict"):
        return {f: [e.code for e in errs] for f, errs in err.error_dict.items()}
    return {None: [e.code for e in err.error_list]}


@pytest.mark.parametrize("months,ok", [(5, False), (6, True), (12, True), (13, False)])
def test_extension_6_to_12_months(world, months, ok):
    case = advance(world, open_case(world), 21)
    call = lambda: extend(world, case, D(2025, 9, 1), months)  # noqa: E731
    if not ok:
        refused(call, "extension_once_6_12")
        return
    call()
    case.refresh_from_db()
    assert case.probation_end == same_day_months_later(D(2025, 9, 20), months)


def test_extension_once_only_and_moves_the_conversion_date(world):
    case = advance(world, open_case(world), 21)
    extend(world, case, D(2025, 9, 1))
    refused(lambda: extend(world, case, D(2025, 9, 2)), "extension_once_6_12")
    with pytest.raises(policy.NotPermitted):  # the extension needs the upper committee (development.approve)
        extend(world, case, D(2025, 9, 2), actor="secretary")
    case.refresh_from_db()
    assert case.probation_end == D(2026, 3, 20)
    record(world, case, 22)
    services.start_publicity(actor=world.users["secretary"], case=case, point="conversion", starts_on=D(2026, 3, 2), offline=True)
    refused(lambda: record(world, case, 23, date=D(2026, 3, 19)), "conversion_after_expiry")
    record(world, case, 23, date=D(2026, 3, 20))
    record(world, case, 24, date=D(2026, 3, 25))
    case.refresh_from_db()
    assert case.member.status == "full" and case.member.full_member_on == D(2026, 3, 20)


# -- the extension is decided when the probation ends, by a vote of the 支部大会 (党章 art. 7) ------------
def test_extension_refused_before_the_probation_is_about_to_end(world):
    case = advance(world, open_case(world), 21)  # probation ends 2025-09-20; default window 30 days
    with pytest.raises(ValidationError) as exc:
        extend(world, case, D(2025, 8, 20))
    assert error_codes(exc) == {"date": ["extension_at_expiry"]}
    text = refused(lambda: extend(world, case, D(2025, 6, 2)), "extension_at_expiry")
    assert "2025-08-21" in text  # the earliest date is named
    case.refresh_from_db()
    assert (case.probation_end, case.extended_months, case.extended_on) == (D(2025, 9, 20), 0, None)
    extend(world, case, D(2025, 8, 21))
    case.refresh_from_db()
    assert (case.probation_end, case.extended_months, case.extended_on) == (D(2026, 3, 20), 6, D(2025, 8, 21))


@override_settings(DANGJIAN_DEVELOPMENT={"extension_grace_days": 0})
def test_extension_window_is_configurable(world):
    case = advance(world, open_case(world), 22)  # step 22 on 2025-09-10
    refused(lambda: extend(world, case, D(2025, 9, 19)), "extension_at_expiry")
    extend(world, case, D(2025, 9, 20))
    case.refresh_from_db()
    assert case.probation_end == D(2026, 3, 20)


@pytest.mark.parametrize("vote,field", [
    ({}, "voters_total"),  # no vote entered
    ({**VOTE, "voters_present": 5, "yes": 5, "no": 0}, None),  # 5 of 10: no quorum
    ({**VOTE, "yes": 5, "no": 3}, None),  # 5 yes of 10 who should attend: not carried
    ({**VOTE, "yes": 8, "no": 1, "abstain": 0, "voters_present": 8}, None),  # 9 votes cast by 8 present
])
def test_extension_needs_a_vote_that_carried(world, vote, field):
    case = advance(world, open_case(world), 21)
    with pytest.raises(ValidationError) as exc:
        extend(world, case, D(2025, 9, 1), vote=vote)
    assert error_codes(exc) == {field: ["vote_majority"]}
    refused(lambda: extend(world, case, D(2025, 9, 1), vote=vote), "vote_majority")
    case.refresh_from_db()
    assert (case.extended_months, case.extension_vote) == (0, {})


def test_extension_vote_is_recorded_on_the_case_and_in_the_audit(world):
    case = advance(world, open_case(world), 21)
    vote = {**VOTE, "voters_present": 7, "yes": 5, "no": 1, "abstain": 1, "written_total": 2, "written_yes": 1}
    extend(world, case, D(2025, 9, 1), vote=vote)
    case.refresh_from_db()
    assert case.extended_on == D(2025, 9, 1)
    assert case.extension_vote == vote
    event = AuditEvent.objects.filter(action="development.extend").get()
    assert event.data["vote"] == vote and event.data["date"] == "2025-09-01"


def test_conversion_approval_late_warns(world):
    case = advance(world, open_case(world), 23)  # 2025-09-22
    record(world, case, 24, date=D(2025, 12, 23))
    assert CaseWarning.objects.filter(case=case, rule_id="conversion_approval_3m").exists()


def test_oath_late_warns_under_2026_pack(world):
    case = advance(world, open_case(world), 19)  # approval 2024-10-15
    record(world, case, 20, date=D(2024, 11, 16))
    assert CaseWarning.objects.filter(case=case, rule_id="oath_1m").exists()


# -- archive ----------------------------------------------------------------------------------------------
def test_archive_needs_all_five_documents(world):
    case = advance(world, open_case(world), 24)
    text = refused(lambda: record(world, case, 25, data={"archive": ["application", "volunteer_form", "political_review", "training_records"]}),
                   "archive_5_docs")
    assert "转正申请书" in text
    record(world, case, 25)
    case.refresh_from_db()
    assert case.status == "admitted"
    refused(lambda: record(world, case, 25), "step_order")  # closed


# -- opening ----------------------------------------------------------------------------------------------
def test_one_open_case_per_person_and_members_refused(world):
    data = applicant()
    services.open_case(actor=world.users["secretary"], org=world.b1, data=dict(data), application_date=TIMELINE[1])
    with pytest.raises(ValidationError) as exc:
        services.open_case(actor=world.users["secretary"], org=world.b1, data=dict(data), application_date=TIMELINE[1])
    assert error_codes(exc) == {"id_number": ["open_case_exists"]}
    with pytest.raises(ValidationError) as exc:
        services.open_case(actor=world.users["secretary"], org=world.b1, data=applicant(id_number=world.m_member.id_number,
                           birth_date=world.m_member.birth_date, gender=world.m_member.gender), application_date=TIMELINE[1])
    assert error_codes(exc) == {"id_number": ["id_duplicate"]}


def test_applicant_errors_each_carry_a_code(world):
    """clean_applicant collects every field error at once; each one is coded (tests/test_error_codes.py
    cannot see through the collected dict)."""
    from dangjian.development import rules

    with pytest.raises(ValidationError) as exc:
        services.clean_applicant({"gender": "X", "id_number": "123", "phone": "12"}, rules.get_pack())
    assert error_codes(exc) == {"name": ["required"], "birth_date": ["required"], "education": ["required"],
                                "gender": ["invalid_choice"], "id_number": ["id_format"], "phone": ["phone"]}


def test_id_number_must_match_birth_date(world):
    with pytest.raises(ValidationError) as exc:
        open_case(world, id_number=applicant(birth_date=D(1999, 1, 1))["id_number"], birth_date=BIRTH)
    assert error_codes(exc)["birth_date"] == ["birth_date_mismatch"]


def test_id_and_phone_encrypted_and_reveal_audited(world):
    from django.db import connection

    case = open_case(world)
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM development_developmentcase WHERE id = %s", [case.pk])
        raw_id, raw_phone = cur.fetchone()
    assert case.id_number not in raw_id and "13912345678" not in raw_phone
    n = AuditEvent.objects.filter(action="development.reveal").count()
    assert services.reveal_field(actor=world.users["secretary"], case=case, field="id_number") == case.id_number
    ev = AuditEvent.objects.filter(action="development.reveal").latest("seq")
    assert AuditEvent.objects.filter(action="development.reveal").count() == n + 1 and case.id_number not in str(ev.data)


def test_conversion_decision_inside_publicity_window_refused(world):
    case = advance(world, open_case(world), 21)
    record(world, case, 22)  # 2025-09-10
    refused(lambda: record(world, case, 23, date=D(2025, 9, 22)), "publicity_conversion")  # none started
    # Thu 18 Sep 2025: 18, 19, 22, 23, 24 → the window ends Wed 24 Sep
    services.start_publicity(actor=world.users["secretary"], case=case, point="conversion", starts_on=D(2025, 9, 18), offline=True)
    refused(lambda: record(world, case, 23, date=D(2025, 9, 24)), "publicity_conversion")
    record(world, case, 23, date=D(2025, 9, 25))


# -- the vote against the roll ------------------------------------------------------------------
def test_admission_vote_is_checked_against_the_roll_of_that_day(world):
    """应到 may not exceed the full members with voting rights on the branch roll of the meeting
    day; fewer is stored as a warning (only members exempt by rule may be left out)."""
    from dangjian.members.models import MemberOrgHistory
    from dangjian.members.selectors import voting_members_on

    MemberOrgHistory.objects.filter(org__path__startswith=world.b1.path).update(started_on=D(2020, 1, 1))
    Member.objects.filter(org_path__startswith=world.b1.path).update(joined_on=D(2015, 1, 1))
    Member.objects.filter(org_path__startswith=world.b1.path, status="full").update(full_member_on=D(2016, 1, 1))
    on_roll = len(voting_members_on(world.b1, D(2024, 10, 8)))
    assert on_roll == Member.objects.filter(org_path__startswith=world.b1.path, status="full").count() >= 3
    case = advance(world, open_case(world), 14)
    too_many = {"voters_total": on_roll + 1, "voters_present": on_roll, "yes": on_roll, "no": 0, "abstain": 0}
    text = refused(lambda: record(world, case, 15, data=too_many), "vote_majority")
    assert f"{on_roll} full members" in text
    fewer = {"voters_total": on_roll - 1, "voters_present": on_roll - 1, "yes": on_roll - 1, "no": 0, "abstain": 0}
    record(world, case, 15, data=fewer)
    assert CaseWarning.objects.filter(case=case, step_code=15, rule_id="vote_majority").exists()


# -- cancelling the probation -------------------------------------------------------------------
def test_cancel_probation_closes_case_and_member_record(world):
    """党章 art. 7 / DOMAIN §4.2: at expiry the branch may cancel the probationary membership
    (支部大会 + upper approval): the case stops, the member leaves the roll, history stays."""
    from dangjian.members.models import RecordState

    case = advance(world, open_case(world), 20)
    case.refresh_from_db()
    member = case.member
    assert member.status == "probationary" and member.state == RecordState.ACTIVE
    with pytest.raises(policy.NotPermitted):  # the branch secretary cannot: it needs the upper approval
        services.cancel_probation(actor=world.users["secretary"], case=case, date=D(2025, 9, 20), decision="支部大会决议")
    with pytest.raises(ValidationError):
        services.cancel_probation(actor=world.users["town_admin"], case=case, date=D(2025, 9, 20), decision=" ")
    case = services.cancel_probation(actor=world.users["town_admin"], case=case, date=D(2025, 9, 20),
                                     decision="2025年9月10日支部大会决议，东镇党委〔2025〕12号批复")
    member.refresh_from_db()
    assert case.status == "stopped" and "取消预备党员资格" in case.stop_reason
    assert member.state == RecordState.LEFT
    assert AuditEvent.objects.filter(action="development.cancel_probation").count() == 1
    assert AuditEvent.objects.filter(action="member.left").count() == 1
    with pytest.raises(ValidationError):  # once
        services.cancel_probation(actor=world.users["town_admin"], case=case, date=D(2025, 9, 21), decision="x")
