"""The organization tree's services and reads seen from outside the kernel (the REST layer, the
demo, elections, the members pages). The kernel's other public modules (audit, policy, models,
web...) are listed in the ``public-api`` import contract; its services and selectors modules are
reached through this one."""
from .selectors import (
    no_organizations,
    org_at_path,
    reloaded_org,
    rollup_counts,
    visible_children_of,
    visible_descendants_of,
    visible_org,
    visible_orgs,
)
from .services import (
    create_organization,
    dissolve_organization,
    grant_role,
    merge_organizations,
    move_organization,
    term_end,
    term_years,
    update_organization,
)

__all__ = [
    "create_organization",
    "dissolve_organization",
    "grant_role",
    "merge_organizations",
    "move_organization",
    "no_organizations",
    "org_at_path",
    "reloaded_org",
    "rollup_counts",
    "term_end",
    "term_years",
    "update_organization",
    "visible_children_of",
    "visible_descendants_of",
    "visible_org",
    "visible_orgs",
]
