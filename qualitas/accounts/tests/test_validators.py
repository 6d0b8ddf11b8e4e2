"""Password policy: character classes and history, on top of Django's length, similarity and
common-password checks."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError

from qualitas.accounts import services
from qualitas.accounts.models import PasswordHistory
from qualitas.accounts.validators import CharacterClassValidator, PasswordHistoryValidator
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def messages(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("all-lower-case-words", ["an upper-case letter", "a digit"]),
        ("ALL-UPPER-CASE-WORDS", ["a lower-case letter", "a digit"]),
        ("Mixed-Case-No-Digits", ["a digit"]),
    ],
)
def test_character_classes_from_settings_name_what_is_missing(password, missing):
    [message] = [m for m in messages(password) if m.startswith("The password must contain")]
    for name in missing:
        assert name in message


def test_symbols_are_required_only_when_configured(settings):
    assert messages("Plain1Letters2Digits") == []
    settings.QUALITAS_PASSWORD_CLASSES = ["lower", "upper", "digit", "symbol"]
    assert messages("Plain1Letters2Digits") == ["The password must contain a symbol such as ! or #."]
    assert messages("Plain1Letters2Digits!") == []


def test_unknown_character_class_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="emoji"):
        CharacterClassValidator(classes=["lower", "emoji"]).validate("abc")


def test_minimum_length_and_similarity_still_apply():
    user = make_user(full_name="Margaretha Vandenberghe", email="margaretha@example.com")
    assert any("at least 12 characters" in m for m in messages("Short1Aa", user))
    assert any("too similar" in m for m in messages("Vandenberghe1", user))


def test_history_is_written_on_every_password_change_and_refuses_reuse(settings):
    settings.QUALITAS_PASSWORD_HISTORY = 3
    user = make_user()
    assert PasswordHistory.objects.filter(user=user).count() == 1  # the first password
    passwords = ["Second-Password-2", "Third-Password-3", "Fourth-Password-4"]
    for password in passwords:
        services.change_password(user, password)
    assert PasswordHistory.objects.filter(user=user).count() == 4

    # The current password and the two before it are refused; the oldest one is allowed again.
    for reused in passwords:
        with pytest.raises(ValidationError) as error:
            services.change_password(user, reused)
        assert error.value.message_dict == {
            "new_password1": ["Choose a password that is not one of your last 3 passwords."]
        }
    services.change_password(user, PASSWORD)
    assert user.check_password(PASSWORD)


def test_history_covers_a_current_password_that_predates_the_history():
    user = make_user()
    PasswordHistory.objects.filter(user=user)._raw_delete(PasswordHistory.objects.db)
    with pytest.raises(ValidationError):
        PasswordHistoryValidator().validate(PASSWORD, user)


def test_history_of_zero_turns_the_check_off(settings):
    settings.QUALITAS_PASSWORD_HISTORY = 0
    user = make_user()
    PasswordHistoryValidator().validate(PASSWORD, user)


def test_a_hasher_upgrade_is_not_a_password_change(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = make_user()  # hashed with PBKDF2 (first hasher)
    user.must_change_password = True
    user.save()
    changed = user.password_changed
    settings.PASSWORD_HASHERS = settings.PASSWORD_HASHERS[::-1]  # MD5 preferred: upgrade on check
    assert user.check_password(PASSWORD)
    user.refresh_from_db()
    assert user.password.startswith("md5$")
    assert user.password_changed == changed
    assert user.must_change_password is True
    assert PasswordHistory.objects.filter(user=user).count() == 1
