def inbox(request):
    """The unread count shown in the header: one indexed COUNT, evaluated only when a page
    actually renders the badge (lazy), and only for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.utils.functional import SimpleLazyObject

    from .services import unread_count

    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
