"""The organization tree's services seen from outside the kernel (the REST layer, the demo,
elections). The kernel's other public modules (audit, policy, models, web...) are listed in the
``public-api`` import contract; its services module is reached through this one."""
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
    "term_end",
    "term_years",
    "update_organization",
]
