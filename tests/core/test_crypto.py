"""Field encryption at rest (SECURITY.md "Field encryption", test family "field privacy").

* no plaintext ID number or phone anywhere in the database (every table, audit rows included);
* a tampered ciphertext, or one copied into another column, is refused on read;
* the blind index finds a member by exact ID number;
* SM4-GCM works; a value written under key v1 still reads after v2 becomes active.
"""
from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

import pytest
from django.db import connection

from dangjian.core import crypto
from dangjian.core.crypto import DataKey, DecryptionError, Keyring
from dangjian.core.models import AuditEvent
from dangjian.core.policy import Scope
from dangjian.members import services as member_services
from dangjian.members.models import Member
from dangjian.members.selectors import MemberFilters, member_queryset
from tests.factories import member_data

ID_LABEL = "members.member.id_number"
PHONE_LABEL = "members.member.phone"


def _all_tables_text() -> str:
    """Every value of every table, as text: what a stolen database file or dump would show."""
    parts = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names(cur):
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            for row in cur.fetchall():
                parts.append(table + "|" + "|".join("" if v is None else str(v) for v in row))
    return "\n".join(parts)


def _raw_member_row(pk: int) -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM members_member WHERE id = %s", [pk])
        cols = [c[0] for c in cur.description]
        return dict(zip(cols, cur.fetchone(), strict=True))


def _set_raw(pk: int, column: str, value: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"UPDATE members_member SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608 - fixed column names


def _flip_one_char(token: str) -> str:
    version, b64 = token.split(":", 1)
    i = len(b64) // 2
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    new = alphabet[(alphabet.index(b64[i]) + 1) % 64]
    return f"{version}:{b64[:i]}{new}{b64[i + 1:]}"


def _keyfile_json(**extra_keys: dict) -> dict:
    data = json.loads((Path(__file__).resolve().parents[1] / "keys.test.json").read_text())
    data["keys"].update(extra_keys)
    return data


# --- nothing in clear -----------------------------------------------------------------------

def test_no_plaintext_id_or_phone_anywhere_in_the_database(world):
    members = list(Member.objects.all())
    assert len(members) >= 14
    secretary = world.users["county_admin"]
    # a reveal, an update and a move write more audit rows: none may carry the clear values
    m = world.m_member
    member_services.reveal_field(actor=secretary, member=m, field="id_number", purpose="verification")
    member_services.update_member(actor=secretary, member=m, data={"phone": "13800138000"})
    members = list(Member.objects.all())

    dump = _all_tables_text()
    assert "members_member|" in dump and "core_auditevent|" in dump
    audit_text = json.dumps([ev.data for ev in AuditEvent.objects.all()], ensure_ascii=False)
    for mem in members:
        assert mem.id_number and mem.phone
        for secret in (mem.id_number, mem.phone, mem.address):
            assert secret not in dump, f"plaintext of {mem.name} found in the database"
            assert secret not in audit_text
    for old in ("13800138000",):
        assert old not in dump

    raw = _raw_member_row(m.pk)
    assert raw["id_number"].startswith("v1:")
    assert raw["phone"].startswith("v1:")
    assert raw["address"].startswith("v1:")
    assert raw["id_number_bidx"] and len(raw["id_number_bidx"]) == 64


def test_two_encryptions_of_the_same_value_differ():
    a = crypto.encrypt("370702198005170013", ID_LABEL)
    b = crypto.encrypt("370702198005170013", ID_LABEL)
    assert a != b  # random nonce: equal values are not linkable through the ciphertext
    assert crypto.decrypt(a, ID_LABEL) == crypto.decrypt(b, ID_LABEL) == "370702198005170013"


# --- integrity ------------------------------------------------------------------------------

def test_tampered_ciphertext_raises_decryption_error(world):
    pk = world.m_member.pk
    raw = _raw_member_row(pk)["id_number"]
    _set_raw(pk, "id_number", _flip_one_char(raw))
    with pytest.raises(DecryptionError):
        Member.objects.get(pk=pk)
    # the other members are unaffected
    assert Member.objects.get(pk=world.m_secretary.pk).id_number == world.m_secretary.id_number


@pytest.mark.parametrize("bad", ["v1:not-base64!!", "v9:AAAA", "garbage", "v1:" + base64.b64encode(b"short").decode()])
def test_malformed_ciphertext_raises_decryption_error(world, bad):
    pk = world.m_member.pk
    _set_raw(pk, "phone", bad)
    with pytest.raises(DecryptionError):
        Member.objects.get(pk=pk)


def test_ciphertext_copied_to_another_column_is_refused(world):
    """The column label is the AEAD associated data: a phone ciphertext is not an ID ciphertext."""
    pk = world.m_member.pk
    raw = _raw_member_row(pk)
    _set_raw(pk, "id_number", raw["phone"])
    with pytest.raises(DecryptionError):
        Member.objects.get(pk=pk)


def test_ciphertext_copied_between_rows_of_the_same_column_still_reads():
    """Documented limit: AAD binds the column, not the row — the blind index then disagrees."""
    token = crypto.encrypt("13912345678", PHONE_LABEL)
    assert crypto.decrypt(token, PHONE_LABEL) == "13912345678"
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, ID_LABEL)


# --- blind index ----------------------------------------------------------------------------

def test_blind_index_finds_by_exact_id_number(world):
    m = world.m_member
    field = Member._meta.get_field("id_number")
    assert Member.objects.get(id_number_bidx=field.index_of(m.id_number)) == m
    # normalized the same way as on save: spaces and a lower-case x do not matter
    spaced = f"{m.id_number[:6]} {m.id_number[6:14]} {m.id_number[14:]}".lower()
    assert Member.objects.get(id_number_bidx=field.index_of(spaced)) == m
    # a near miss finds nothing (no partial matching through the index)
    other = m.id_number[:-2] + ("0" if m.id_number[-2] != "0" else "1") + m.id_number[-1]
    assert not Member.objects.filter(id_number_bidx=field.index_of(other)).exists()

    # the roster search uses it, through the caller's scope
    # (an exact look-up needs the reveal right, checked and audited by the view: issue 10 item 2)
    county = Scope.for_user(world.users["county_admin"])
    assert list(member_queryset(county, MemberFilters(q=m.id_number, exact_lookup_allowed=True))) == [m]
    assert list(member_queryset(county, MemberFilters(q=m.id_number))) == []  # not allowed: matches nobody
    outsider_county = Scope.for_user(world.users["town2_admin"])
    assert list(member_queryset(outsider_county, MemberFilters(q=m.id_number, exact_lookup_allowed=True))) == []


def test_blind_index_finds_by_phone(world):
    m = world.m_member
    field = Member._meta.get_field("phone")
    assert list(Member.objects.filter(phone_bidx=field.index_of(m.phone))) == [m]
    assert list(Member.objects.filter(phone_bidx=field.index_of("+86 " + m.phone[:3] + "-" + m.phone[3:]))) == [m]


def test_blind_index_is_keyed():
    """Without the index key the index cannot be recomputed from a guessed ID number."""
    ring = crypto.keyring()
    other = Keyring(active=ring.active, keys=ring.keys, index_key=secrets.token_bytes(32))
    v = "370702198005170013"
    assert crypto.blind_index(v, ID_LABEL) != crypto.blind_index(v, ID_LABEL, other)
    assert crypto.blind_index(v, ID_LABEL) != crypto.blind_index(v, PHONE_LABEL)


# --- algorithms and keys --------------------------------------------------------------------

def test_sm4_gcm_round_trip():
    ring = Keyring(active="s1", keys={"s1": DataKey("s1", "SM4-GCM", secrets.token_bytes(16))}, index_key=secrets.token_bytes(32))
    token = crypto.encrypt("370702198005170013", ID_LABEL, ring)
    assert token.startswith("s1:")
    assert crypto.decrypt(token, ID_LABEL, ring) == "370702198005170013"
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, PHONE_LABEL, ring)
    with pytest.raises(DecryptionError):
        crypto.decrypt(_flip_one_char(token), ID_LABEL, ring)
    # an SM4 ciphertext is not readable as AES and vice versa
    aes = Keyring(active="s1", keys={"s1": DataKey("s1", "AES-256-GCM", secrets.token_bytes(32))}, index_key=ring.index_key)
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, ID_LABEL, aes)


def test_sm4_gcm_keyfile_works_for_members(world, monkeypatch):
    sm4 = {"active": "s1", "keys": {"s1": {"algorithm": "SM4-GCM", "key": base64.b64encode(secrets.token_bytes(16)).decode()}},
           "index_key": base64.b64encode(secrets.token_bytes(32)).decode()}
    monkeypatch.setenv("DANGJIAN_DATA_KEYS", json.dumps(sm4))
    crypto.keyring.cache_clear()
    m = member_services.create_member(actor=None, org=world.b3, data=member_data(name="国密测试"))
    assert _raw_member_row(m.pk)["id_number"].startswith("s1:")
    assert Member.objects.get(pk=m.pk).id_number == m.id_number


def test_new_keyfile_content_sizes():
    for alg, size in (("AES-256-GCM", 32), ("SM4-GCM", 16)):
        ring = crypto._parse(crypto.new_keyfile_content(alg))
        assert ring.active_key.algorithm == alg and len(ring.active_key.key) == size
        assert crypto.decrypt(crypto.encrypt("x", "l", ring), "l", ring) == "x"


def test_key_rotation_old_values_still_decrypt():
    k1 = DataKey("v1", "AES-256-GCM", secrets.token_bytes(32))
    k2 = DataKey("v2", "SM4-GCM", secrets.token_bytes(16))
    idx = secrets.token_bytes(32)
    ring1 = Keyring(active="v1", keys={"v1": k1}, index_key=idx)
    ring2 = Keyring(active="v2", keys={"v1": k1, "v2": k2}, index_key=idx)
    old = crypto.encrypt("13912345678", PHONE_LABEL, ring1)
    assert crypto.key_version(old) == "v1"
    assert crypto.decrypt(old, PHONE_LABEL, ring2) == "13912345678"
    new = crypto.encrypt("13912345678", PHONE_LABEL, ring2)
    assert crypto.key_version(new) == "v2"
    # the blind index does not depend on the data key: lookups survive rotation
    assert crypto.blind_index("13912345678", PHONE_LABEL, ring1) == crypto.blind_index("13912345678", PHONE_LABEL, ring2)
    # a ring that lost v1 can no longer read old rows: keys must be kept until re-encryption
    with pytest.raises(DecryptionError):
        crypto.decrypt(old, PHONE_LABEL, Keyring(active="v2", keys={"v2": k2}, index_key=idx))


def test_key_rotation_in_the_database(world, monkeypatch):
    m = world.m_member
    assert _raw_member_row(m.pk)["phone"].startswith("v1:")
    v2 = {"algorithm": "AES-256-GCM", "key": base64.b64encode(secrets.token_bytes(32)).decode()}
    rotated = _keyfile_json(v2=v2)
    rotated["active"] = "v2"
    monkeypatch.setenv("DANGJIAN_DATA_KEYS", json.dumps(rotated))
    crypto.keyring.cache_clear()

    fresh = Member.objects.get(pk=m.pk)  # written under v1, read with v2 active
    assert fresh.phone == m.phone and fresh.id_number == m.id_number
    member_services.update_member(actor=None, member=fresh, data={"phone": "13700137000"})
    raw = _raw_member_row(m.pk)
    assert raw["phone"].startswith("v2:")
    assert raw["id_number"].startswith("v2:")  # a save re-encrypts every encrypted column under the active key
    assert Member.objects.get(pk=m.pk).phone == "13700137000"
    field = Member._meta.get_field("id_number")
    assert Member.objects.get(id_number_bidx=field.index_of(m.id_number)) == m


def test_lookups_on_ciphertext_are_refused(world):
    """A filter on an encrypted column would compare fresh ciphertext and silently match
    nothing; it is refused so callers use the blind index."""
    from django.core.exceptions import FieldError

    from dangjian.members.models import Member

    with pytest.raises(FieldError):
        list(Member.objects.filter(phone__startswith="139"))
    with pytest.raises(FieldError):
        list(Member.objects.filter(id_number=world.m_member.id_number))
    assert Member.objects.filter(address__isnull=False).exists()
