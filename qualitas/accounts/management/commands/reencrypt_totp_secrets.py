"""After a SECRET_KEY rotation: encrypt every two-factor secret under the current key."""

from django.core.management.base import BaseCommand

from qualitas.accounts import services
from qualitas.framework.context import change_context


class Command(BaseCommand):
    help = (
        "Encrypt every TOTP secret again under the current SECRET_KEY (they still open with a key in "
        "SECRET_KEY_FALLBACKS), and list the ones no key opens. See docs/deployment.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--remove-unreadable",
            action="store_true",
            help="Remove the devices no key opens, so that their owners set up two-factor again.",
        )

    def handle(self, *args, remove_unreadable=False, **options):
        with change_context(reason="manage.py reencrypt_totp_secrets"):
            done, unreadable = services.reencrypt_totp_secrets(remove_unreadable=remove_unreadable)
        self.stdout.write(f"{done} two-factor secret(s) re-encrypted under the current SECRET_KEY.")
        for user in unreadable:
            state = "removed" if remove_unreadable else "unreadable"
            self.stdout.write(self.style.WARNING(f"{state}: {user.email}"))
        if unreadable and not remove_unreadable:
            self.stdout.write(
                "Run again with --remove-unreadable to let these people set up two-factor again."
            )
