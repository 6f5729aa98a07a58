"""An organization page guarded by *this app's* POLICY resource.

``core.web.scoped(model=Organization)`` checks the "organization" resource; pages such as
"the election records of branch X" must be guarded by "transfer" instead (a member sees their
branch's public page but not its elections). ``org_scoped`` loads the organization through the
given resource's ``view`` reach (404 alike for missing and invisible), checks the action
(403) and records ``(resource, action, Organization)`` for the authz matrix.
"""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.core.models import Organization
from dangjian.core.policy import scope_of


def org_scoped(resource: str, action: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            scope = scope_of(request)
            pk = kwargs.pop("pk")
            org = Organization.objects.filter(scope.q_paths(resource, "view", "path"), pk=pk).first()
            if org is None:
                raise Http404
            if action != "view" and not scope.path_allows(resource, action, org.path):
                raise PermissionDenied
            return view(request, org, *args, scope=scope, **kwargs)

        wrapper.policy = (resource, action, Organization)
        return wrapper

    return decorator
