from django.core.management.base import BaseCommand

from qualitas.core import services


class Command(BaseCommand):
    help = (
        "Seal pending audit entries, then verify every entry and the whole hash chain. "
        "The result is recorded as an audit.verified event."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="Verify only what is already sealed.")

    def handle(self, *args, no_seal=False, **options):
        result, _event = services.verify_trail(source="command", seal_first=not no_seal)
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit trail intact: {result.checked} entries verified"
                    + (f", {result.unsealed} not yet sealed" if result.unsealed else "")
                    + f". Chain head (an anchor for offline_verify): {result.head_seq}:{result.head_hash}"
                )
            )
            return
        self.stderr.write(
            self.style.ERROR(
                f"Audit trail BROKEN at entry #{result.first_broken_entry} (sequence {result.first_broken_seq}): "
                f"{result.problem}. {result.checked} entries before it verified."
            )
        )
        raise SystemExit(1)
