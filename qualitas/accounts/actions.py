"""A user's status as a state machine: active ⇄ inactive, each way an action with a reason.

Deactivating signs the person out everywhere: their API tokens are revoked and their stored
sessions deleted, in the same transaction as the status change. Tokens stay revoked after a
reactivation (the person makes new ones); nothing else is undone.

This module imports no account models (the User model imports it for ``state_machine``); it
reaches the tokens through the user's related manager.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from qualitas.accounts.choices import UserStatusChoices as Status
from qualitas.core.events import emit, register_event
from qualitas.framework.actions import Action, StateMachine

register_event("accounts.user_deactivated", "A user was deactivated: sign-in refused, tokens revoked")
register_event("accounts.user_reactivated", "A deactivated user was reactivated")


ADMIN_ROLE = "Admin"


def is_last_admin(user):
    """Whether ``user`` is the only active member of the Admin role (superusers aside, who are made
    on the command line): removing or deactivating them would lock everyone out of administration."""
    admins = type(user)._default_manager.filter(is_active=True, groups__name=ADMIN_ROLE)
    return admins.filter(pk=user.pk).exists() and not admins.exclude(pk=user.pk).exists()


def end_sessions(user):
    """Delete every stored web session of ``user``; returns how many.

    Only database-backed session engines can be searched. With the others a session of an
    inactive user ends at its next request anyway: the backend's ``get_user`` refuses inactive
    users.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    ended = 0
    rows = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for row in rows.iterator():
        store = store_class(row.session_key)
        if str(store.decode(row.session_data).get(SESSION_KEY)) == str(user.pk):
            store.delete()
            ended += 1
    return ended


def revoke_api_tokens(user, by):
    """Revoke the user's unrevoked API tokens (each audited); returns how many."""
    tokens = list(user.api_tokens.select_for_update().filter(revoked_at__isnull=True).order_by("pk"))
    now = timezone.now()
    for token in tokens:
        token.revoked_at = now
        token.revoked_by = by
        token.save()
        emit(
            "accounts.api_token_revoked",
            obj=token,
            message=f"API token {token} of {user} revoked: the user was deactivated",
        )
    return len(tokens)


class Deactivate(Action):
    name = "deactivate"
    label = "Deactivate"
    source = (Status.ACTIVE,)
    target = Status.INACTIVE
    requires_reason = True
    description = (
        "The person can no longer sign in. Their API tokens are revoked and every open session ends "
        "now. Their records and history stay; reactivating lets them sign in again (with new tokens)."
    )
    color = "danger"
    event = "accounts.user_deactivated"

    def preconditions(self):
        if self.user is not None and self.obj.pk == self.user.pk:
            return ["you cannot deactivate yourself"]
        if is_last_admin(self.obj):
            return ["this is the last active Admin: give the Admin role to someone else first"]
        return []

    def perform(self, **params):
        # The token changes are audited with the deactivation's reason (the action's context).
        self.tokens_revoked = revoke_api_tokens(self.obj, self.user)
        self.sessions_ended = end_sessions(self.obj)

    def describe(self, before_state):
        return (
            f"{self.user} deactivated {self.obj}: {self.tokens_revoked} API token(s) revoked, "
            f"{self.sessions_ended} session(s) ended"
        )


class Reactivate(Action):
    name = "reactivate"
    label = "Reactivate"
    source = (Status.INACTIVE,)
    target = Status.ACTIVE
    requires_reason = True
    color = "success"
    event = "accounts.user_reactivated"

    def describe(self, before_state):
        return f"{self.user} reactivated {self.obj}"


class UserStateMachine(StateMachine):
    field = "is_active"
    choices = Status
    actions = (Deactivate, Reactivate)
