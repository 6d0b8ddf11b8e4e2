"""Object scoping: the one queryset method that decides which rows a user may see or change."""

from django.db import models

ACTION_PERMISSIONS = {"view": "view", "add": "add", "change": "change", "delete": "delete", "export": "view"}


def permission_name(model, action):
    return f"{model._meta.app_label}.{ACTION_PERMISSIONS.get(action, action)}_{model._meta.model_name}"


def default_scope(queryset, user, action):
    """Without a model-specific rule, customers see nothing and staff see every row."""
    return queryset.none() if getattr(user, "is_customer", False) else queryset


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action="view"):
        """The records ``user`` may ``action``. Every list, detail, API endpoint, export and search
        goes through here, so scoping is decided in one place.

        1. Without the model permission (``app.view_model``) the user gets nothing.
        2. Then the model's ``scope_queryset`` narrows the rows (customers see only their own
           company's records; documents filter by classification).
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.is_superuser and not user.has_perm(permission_name(self.model, action)):
            return self.none()
        scope = getattr(self.model, "scope_queryset", None)
        return scope(self, user, action) if scope is not None else default_scope(self, user, action)
