from django.core.management.base import BaseCommand

from qualitas.core import audit


class Command(BaseCommand):
    help = "Seal pending audit entries, then verify every entry and the whole hash chain."

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="Verify only what is already sealed.")

    def handle(self, *args, no_seal=False, **options):
        result = audit.verify(seal_first=not no_seal)
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit trail intact: {result.checked} entries verified, head {result.head_hash[:16]}…"
                    + (f", {result.unsealed} not yet sealed" if result.unsealed else "")
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
