"""State machines. A status field is never edited by a form: every transition is an Action.

    class SubmitForReview(Action):
        name = "submit"
        label = "Submit for review"
        source = (Status.DRAFT,)
        target = Status.REVIEW

        def preconditions(self):
            return [] if self.obj.lines.exists() else ["the order has no lines"]

    class OrderStateMachine(StateMachine):
        field = "status"
        choices = Status
        actions = (SubmitForReview, ...)

``Action(obj, user).check()`` raises ``TransitionNotAllowed`` with the list of blockers;
``execute(reason=..., **params)`` checks, performs, audits and records a domain event.

An action that needs an electronic signature (21 CFR Part 11) says so with
``signature_meaning = "approved"`` or the ``@SignatureRequired("approved")`` decorator. Its
``execute`` then takes ``signature={"password": ..., "otp": ..., "email": ..., "comment": ...}``,
checks the signer's components before anything is written (a wrong password raises
``SigningError``, a ``ValidationError`` with field errors, and is counted toward the lockout), and
signs the record inside the transaction of the transition (qualitas/signatures/services.py).
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction

from qualitas.core.choices import ChangeActionChoices
from qualitas.core.events import emit
from qualitas.framework.choices import ChoiceSet
from qualitas.framework.context import change_context, current_context
from qualitas.framework.scoping import permission_name

#: The electronic-signature service (``qualitas.signatures.services``). The signatures app hands
#: it over when Django starts (its ``AppConfig.ready``): it is built on the framework, so the
#: framework cannot import it.
_signing = None
#: The form that collects the signer's components on action pages (same origin).
_signing_form = None

#: The keys of ``execute(signature=...)``.
SIGNATURE_FIELDS = ("email", "password", "otp", "comment")


def register_signing_service(service, form_class=None):
    global _signing, _signing_form
    _signing = service
    _signing_form = form_class


def signing_service():
    if _signing is None:
        raise ImproperlyConfigured(
            "An action requires an electronic signature, but qualitas.signatures is not installed."
        )
    return _signing


def signing_form_class():
    signing_service()
    return _signing_form


class SignatureRequired:
    """Declares that an action needs an electronic signature with the given meaning:

        @SignatureRequired("approved")
        class Approve(Action):
            ...

    It is the same as setting ``signature_meaning = "approved"`` on the class.
    """

    def __init__(self, meaning):
        if not isinstance(meaning, str) or not meaning:
            raise TypeError("SignatureRequired needs a meaning such as 'approved'.")
        self.meaning = meaning

    def __call__(self, action_class):
        if not (isinstance(action_class, type) and issubclass(action_class, Action)):
            raise TypeError("SignatureRequired decorates Action subclasses.")
        action_class.signature_meaning = self.meaning
        return action_class


class TransitionNotAllowed(Exception):
    def __init__(self, action, blockers):
        self.action = action
        self.blockers = list(blockers)
        super().__init__(f"{action.label}: " + "; ".join(self.blockers))


class Action:
    name = ""
    label = ""
    #: States the action starts from. Empty means any state (e.g. an edit that keeps the state).
    source: tuple[Any, ...] = ()
    #: The state after the action, or None when the action does not change the state.
    target: Any = None
    #: A model permission action (``change``) or a full permission name (``capa.approve_capa``).
    permission = "change"
    requires_reason = False
    #: What the action does, shown on its confirmation page (one or two sentences).
    description = ""
    #: The meaning of the electronic signature this action needs ("approved"), or None. See
    #: ``SignatureRequired`` and ``execute``.
    signature_meaning: str | None = None
    color = "primary"
    #: A domain event name written on success, e.g. ``capa.approved``. Defaults to ``<model>.<name>``.
    event: str | None = None
    #: The form of the action's parameters (a ``framework.forms.ActionForm``), or None. Its
    #: ``cleaned_data`` are passed to ``execute`` on the action's page and in the API.
    form_class: Any = None

    def __init__(self, obj, user, request=None):
        self.obj = obj
        self.user = user
        #: The web or API request, when there is one: it decides which signature components are
        #: needed (a continuous session, or none). Defaults to the request being served.
        self.request = request
        #: The ``Signature`` written by ``execute``, for actions that need one.
        self.signature = None

    def get_form(self, data=None):
        """The parameters form bound to ``data`` (None for an unbound form), or None."""
        if self.form_class is None:
            return None
        return self.form_class(data, action=self)

    def required_signature(self):
        """The meaning of the signature this action needs on this record, or None. Override to
        decide per record."""
        return self.signature_meaning

    def signature_requirements(self):
        """Which components the signature needs now (``signatures.services.Requirements``), or
        None when the action needs no signature."""
        if not self.required_signature():
            return None
        return signing_service().requirements(self.user, self._request())

    def _request(self):
        return self.request if self.request is not None else current_context().request

    @property
    def machine(self):
        return type(self.obj).state_machine

    @property
    def state(self):
        return getattr(self.obj, self.machine.field) if self.machine else None

    def has_permission(self):
        if self.user is None or not self.user.is_authenticated:
            return False
        perm = self.permission if "." in self.permission else permission_name(type(self.obj), self.permission)
        if not self.user.has_perm(perm):
            return False
        return type(self.obj).objects.restrict(self.user, "view").filter(pk=self.obj.pk).exists()

    def preconditions(self):
        """Domain blockers, each a short sentence such as "2 tasks open". Override."""
        return []

    def get_blockers(self):
        blockers = []
        if self.source and self.state not in self.source:
            allowed = ", ".join(self.machine.choices.label(s) for s in self.source)
            blockers.append(f"the record is {self.machine.choices.label(self.state)}; this needs {allowed}")
        if getattr(self.obj, "is_archived", False):
            blockers.append("the record is archived")
        if not self.has_permission():
            blockers.append("you do not have permission")
        if not blockers:
            blockers.extend(self.preconditions())
        return blockers

    @property
    def is_allowed(self):
        return not self.get_blockers()

    def check(self, reason=""):
        """Raise ``PermissionDenied`` (403) when the user may not do this at all, and
        ``TransitionNotAllowed`` (409) with every blocker when the record is not ready for it."""
        if not self.has_permission():
            raise PermissionDenied(
                f"You do not have permission for “{self.label}” on this {self.obj._meta.verbose_name}."
            )
        blockers = self.get_blockers()
        if self.requires_reason and not (reason or "").strip():
            blockers.append("a reason is required")
        if blockers:
            raise TransitionNotAllowed(self, blockers)

    def perform(self, **params):
        """Side effects of the transition, inside the same transaction. Override."""

    def execute(self, reason="", signature=None, **params):
        """Check, perform, audit and log the action. An action that needs a signature takes the
        signer's components in ``signature`` (``SIGNATURE_FIELDS``); they are checked after the
        permission and the blockers and before anything is written, so a refused signature
        leaves the record untouched while the failed attempt stays logged."""
        #: The reason given, for ``perform`` (it is also on every audit entry the action writes).
        self.reason = (reason or "").strip()
        meaning = self.required_signature()
        signer = None
        if meaning:
            service = signing_service()
            self.check(reason)
            components = {key: (signature or {}).get(key, "") for key in SIGNATURE_FIELDS}
            comment = components.pop("comment")
            service.clean_meaning_and_comment(meaning, comment)
            signer = service.verify_signer(self.user, request=self._request(), **components)
        with transaction.atomic(), change_context(reason=(reason or "").strip()):
            locked = type(self.obj)._base_manager.select_for_update().get(pk=self.obj.pk)
            self.obj.refresh_from_db()
            del locked
            self.check(reason)
            before_state = self.state
            self.perform(**params)
            if self.target is not None:
                setattr(self.obj, self.machine.field, self.target)
            self.obj.save(audit_action=ChangeActionChoices.TRANSITION if self.target is not None else None)
            data = {"from": before_state, "to": self.state, "reason": reason or ""}
            if signer is not None:
                # Signed after the change is saved: the signature covers the content as it stands
                # once the action is done (a status change alone does not alter that content).
                self.signature = service.record_signature(signer, self.obj, meaning, comment)
                data["signature"] = self.signature.pk
            emit(
                self.event or f"{self.obj._meta.model_name}.{self.name}",
                obj=self.obj,
                message=self.describe(before_state),
                data=data,
            )
        if signer is not None:
            service.remember_signing(signer)
        return self.obj

    def describe(self, before_state):
        if self.target is None:
            return f"{self.label}: {self.obj}"
        choices = self.machine.choices
        return f"{self.obj} moved from {choices.label(before_state)} to {choices.label(self.state)} ({self.label})"


class StateMachine:
    field = "status"
    choices: type[ChoiceSet] | None = None
    actions: tuple[type[Action], ...] = ()

    @classmethod
    def get_action(cls, name):
        for action in cls.actions:
            if action.name == name:
                return action
        return None

    @classmethod
    def transitions(cls):
        """The transition table: {source state: [(action name, target state), ...]}."""
        table = {}
        for action in cls.actions:
            for source in action.source or cls.choices.values():
                table.setdefault(source, []).append((action.name, action.target))
        return table

    @classmethod
    def available(cls, obj, user):
        """Actions whose source includes the current state, each with its blockers."""
        state = getattr(obj, cls.field)
        result = []
        for action_class in cls.actions:
            if action_class.source and state not in action_class.source:
                continue
            action = action_class(obj, user)
            result.append((action, action.get_blockers()))
        return result
