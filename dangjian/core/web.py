"""The web side of the one rule of visibility: every view declares the POLICY entry it needs.

``@scoped(resource, action, model=...)`` logs the user in, builds the request's Scope, loads the
object through ``get_for_scope`` (404 alike for missing and invisible objects), checks the
action (403 when the object is visible but the action is not allowed) and records the declared
policy on the view, where the authz-matrix test reads it. When ``model`` belongs to another
resource (``@scoped("dues", "view", model=Organization)``: an organization's dues page), the
object is seen and checked through ``resource``'s rows, not the model's own.
"""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .policy import RESOURCES, scope_of


def scoped(resource: str, action: str, model: type | None = None, url_kwarg: str = "pk"):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            scope = scope_of(request)
            if model is not None:
                pk = kwargs.pop(url_kwarg)
                res = RESOURCES[model]
                if res.name == resource:
                    obj = scope.get_for_scope(model.objects.all(), "view", pk=pk)
                    allowed = action == "view" or scope.can(action, obj)
                else:
                    # another resource's page about this object (e.g. an organization's dues page):
                    # the object is seen through *that* resource's rows of POLICY
                    obj = model.objects.filter(scope.q_paths(resource, "view", res.path_field), pk=pk).first()
                    if obj is None:
                        raise Http404
                    allowed = action == "view" or scope.path_allows(resource, action, getattr(obj, res.path_field))
                if not allowed:
                    raise PermissionDenied
                return view(request, obj, *args, scope=scope, **kwargs)
            if not scope.has_any(resource, action):
                raise PermissionDenied
            return view(request, *args, scope=scope, **kwargs)

        wrapper.policy = (resource, action, model)
        return wrapper

    return decorator


def public(view):
    """Mark a view as reachable without a role (login page, language switch)."""
    view.policy = ("public", None, None)
    return view


def authenticated(view):
    """Any signed-in user, whatever their roles (home page, logout)."""
    wrapped = login_required(view)
    wrapped.policy = ("authenticated", None, None)
    return wrapped


def form_view(request, form, *, perform, done, template: str, context: dict):
    """The one shape of every form page: validate, call the service, show the service's
    ValidationError on the form (nothing written), or report success and redirect.

    ``perform(cleaned_data)`` calls the service; ``done(result)`` returns (message, url).
    """
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect, render

    from .errors import REFUSAL_HEADER, codes
    from .forms import apply_service_errors

    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            refused = exc
        else:
            message, url = done(result)
            messages.success(request, message)
            return redirect(url)
    response = render(request, template, {"form": form, **context})
    if refused is not None:
        response[REFUSAL_HEADER] = " ".join(codes(refused))
    return response
