"""Demo sign-in accounts: one user per role, with Argon2-hashed passwords (SECURITY.md roles)."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password

from dangjian.core import api as org_services
from dangjian.core.models import Organization, Role
from dangjian.members.api import Member, MemberStatus, RecordState

DEFAULT_PASSWORD = "Dangjian-Demo-2026"  # noqa: S105  # nosec B105 # public demo password, printed on purpose


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: str
    mark: str  # which organization of the plan (see tree.Plan.marks)
    member_position: str | None = None  # link the user to a member of that branch holding this position


ACCOUNTS = [
    AccountSpec("county_admin", Role.ORG_ADMIN, "county"),
    AccountSpec("town_admin", Role.ORG_ADMIN, "town"),
    AccountSpec("secretary", Role.SECRETARY, "branch", "secretary"),
    AccountSpec("committee", Role.COMMITTEE, "branch", "organization"),
    AccountSpec("member", Role.MEMBER, "branch", ""),
    AccountSpec("audit_admin", Role.AUDIT_ADMIN, "county"),
    AccountSpec("security_admin", Role.SECURITY_ADMIN, "county"),
]
PROVINCE_ACCOUNTS = [
    AccountSpec("province_admin", Role.ORG_ADMIN, "province"),
    AccountSpec("city_admin", Role.ORG_ADMIN, "city"),
]


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str
    org: str
    member: str = ""


def check_password_strength(password: str) -> None:
    """Raise ValidationError if the demo password fails the project's validators (≥12 chars...)."""
    validate_password(password)


def _member_for(org: Organization, position: str) -> Member | None:
    qs = Member.objects.filter(org=org, state=RecordState.ACTIVE, user__isnull=True, position=position)
    if position == "":
        qs = qs.filter(status=MemberStatus.FULL)
    return qs.order_by("id").first()


def create_accounts(orgs: dict[str, Organization], password: str, with_province: bool = False) -> list[Account]:
    """Create the demo users, grant their roles (audited) and link member users to their records."""
    User = get_user_model()
    hashed = make_password(password, hasher="argon2")
    specs = (PROVINCE_ACCOUNTS if with_province else []) + ACCOUNTS
    out = []
    for spec in specs:
        org = orgs[spec.mark]
        member = _member_for(org, spec.member_position) if spec.member_position is not None else None
        user = User.objects.create(username=spec.username, password=hashed, first_name=member.name if member else "")
        org_services.grant_role(actor=None, user=user, org=org, role=spec.role)
        if member is not None:
            member.user = user
            member.save(update_fields=["user"])
        out.append(Account(spec.username, password, str(Role(spec.role).label), org.name, member.name if member else ""))
    return out


def format_accounts(accounts: list[Account]) -> str:
    """A plain-text table of the demo accounts."""
    head = ("username", "password", "role", "organization", "member record")
    rows = [head] + [(a.username, a.password, a.role, a.org, a.member) for a in accounts]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))
