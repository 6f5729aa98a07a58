from .policy import scope_of


def scope(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    sc = scope_of(request)
    return {"scope": sc, "user_roles": sorted(sc.roles())}
