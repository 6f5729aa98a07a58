def inbox(request):
    """The unread count shown in the header (filled in by the notify app)."""
    return {}
