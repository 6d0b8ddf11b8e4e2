"""Password policy validators (listed in settings.AUTH_PASSWORD_VALIDATORS).

Both read their settings when they run, not when Django builds them (Django caches the
validator instances), so a changed setting takes effect at once. Django imports this module only
when a password is first validated, after the apps are loaded.
"""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured, ValidationError

from qualitas.accounts import services
from qualitas.accounts.models import PasswordHistory

CHARACTER_CLASSES = {
    "lower": ("a lower-case letter", str.islower),
    "upper": ("an upper-case letter", str.isupper),
    "digit": ("a digit", str.isdigit),
    "symbol": ("a symbol such as ! or #", lambda ch: not ch.isalnum() and not ch.isspace()),
}


class CharacterClassValidator:
    """The password contains at least one character of each class in
    ``settings.QUALITAS_PASSWORD_CLASSES`` (lower, upper, digit, symbol)."""

    def __init__(self, classes=None):
        self._classes = classes

    @property
    def classes(self):
        names = list(self._classes if self._classes is not None else settings.QUALITAS_PASSWORD_CLASSES)
        unknown = [name for name in names if name not in CHARACTER_CLASSES]
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown password character classes {unknown}; choose from {', '.join(CHARACTER_CLASSES)}."
            )
        return names

    def validate(self, password, user=None):
        missing = [
            CHARACTER_CLASSES[name][0]
            for name in self.classes
            if not any(CHARACTER_CLASSES[name][1](ch) for ch in password)
        ]
        if missing:
            raise ValidationError(
                "The password must contain " + _join(missing) + ".",
                code="password_character_classes",
                params={"missing": missing},
            )

    def get_help_text(self):
        names = self.classes
        if not names:
            return ""
        return "Your password must contain " + _join([CHARACTER_CLASSES[n][0] for n in names]) + "."


class PasswordHistoryValidator:
    """The password is none of the user's last ``settings.QUALITAS_PASSWORD_HISTORY`` passwords.

    ``password_changed`` (which Django calls after every saved password change) writes the new
    hash to the history, so the admin, ``changepassword`` and our own pages all feed it.
    """

    def __init__(self, count=None):
        self._count = count

    @property
    def count(self):
        return self._count if self._count is not None else settings.QUALITAS_PASSWORD_HISTORY

    def validate(self, password, user=None):
        if user is None or user.pk is None or self.count <= 0:
            return
        hashes = list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count]
        )
        if user.password and user.password not in hashes:
            # The current password always counts, even when it predates the history.
            hashes.insert(0, user.password)
        if any(check_password(password, encoded) for encoded in hashes[: self.count]):
            raise ValidationError(self._message(), code="password_reused", params={"count": self.count})

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not user.has_usable_password():
            return
        services.record_password_history(user)

    def _message(self):
        if self.count == 1:
            return "Choose a password different from your current one."
        return f"Choose a password that is not one of your last {self.count} passwords."

    def get_help_text(self):
        if self.count <= 0:
            return ""
        if self.count == 1:
            return "Your password must differ from your current one."
        return f"Your password must not be one of your last {self.count} passwords."


def _join(items):
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
