from django.core.management.base import BaseCommand

from qualitas.compliance import services


class Command(BaseCommand):
    help = (
        "Make the standards and clauses in the database match qualitas/compliance/catalogue/. "
        "This runs after every migrate; every change is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        changes = services.plan_sync() if dry_run else services.sync_catalogue()
        verb = "would" if dry_run else "did"
        if verbosity > 1 or dry_run:
            for change in changes:
                self.stdout.write(f"  {change}")
        if not changes:
            self.stdout.write("The clause catalogue is in sync.")
            return
        counts = {
            kind: sum(1 for change in changes if change.kind == kind)
            for kind in ("create", "update", "withdraw")
        }
        summary = ", ".join(f"{kind} {count}" for kind, count in counts.items() if count)
        self.stdout.write(f"Clause catalogue: {verb} {summary}.")
