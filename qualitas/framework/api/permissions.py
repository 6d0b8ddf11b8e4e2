from rest_framework.permissions import BasePermission

from qualitas.framework.scoping import permission_name

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ModelPermission(BasePermission):
    """The model permission for the request method. Rows are then scoped by ``restrict()``.

    Views that are not model views (health, verify) declare their own permission classes.
    """

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None) or getattr(view, "model", None)
        if model is None:
            return True
        action = getattr(view, "permission_action", None) or METHOD_ACTIONS.get(request.method, "view")
        return user.is_superuser or user.has_perm(permission_name(model, action))
