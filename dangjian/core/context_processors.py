from .models import Role
from .policy import scope_of

# roles that run organizations' work (the work pages in the navigation bar)
STAFF_ROLES = {Role.ORG_ADMIN, Role.SECRETARY, Role.COMMITTEE}


def scope(request):
    from . import navigation

    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": navigation.for_request(user, set(), False)} if user is not None else {}
    sc = scope_of(request)
    roles = sc.roles()
    is_staff = bool(roles & STAFF_ROLES)
    return {"scope": sc, "user_roles": sorted(roles), "is_staff_role": is_staff, "nav": navigation.for_request(user, roles, is_staff)}
