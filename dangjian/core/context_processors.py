from .models import Role
from .policy import scope_of

# roles that run organizations' work (the work pages in the navigation bar)
STAFF_ROLES = {Role.ORG_ADMIN, Role.SECRETARY, Role.COMMITTEE}


def scope(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    sc = scope_of(request)
    roles = sc.roles()
    return {"scope": sc, "user_roles": sorted(roles), "is_staff_role": bool(roles & STAFF_ROLES)}
