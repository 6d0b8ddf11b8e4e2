from django.core.management.base import BaseCommand

from qualitas.accounts import services
from qualitas.framework.context import change_context


class Command(BaseCommand):
    help = "Make the role groups and their permissions match qualitas/accounts/roles.py."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")
        parser.add_argument("--diff", action="store_true", help="List every permission added or removed.")
        parser.add_argument(
            "--status", action="store_true", help="Show each role's members and whether it is in sync."
        )

    def handle(self, *args, dry_run=False, diff=False, status=False, verbosity=1, **options):
        if status:
            self.print_status(services.plan_roles())
            return
        if dry_run:
            diffs = services.plan_roles()
        else:
            with change_context(reason="setup_roles"):
                diffs = services.apply_roles()
        for item in diffs:
            if item.in_sync:
                if verbosity > 1:
                    self.stdout.write(f"{item.role}: in sync ({item.total} permissions)")
                continue
            verb = "would change" if dry_run else ("changed" if item.exists else "created")
            self.stdout.write(f"{item.role}: {verb}, +{len(item.added)} -{len(item.removed)}")
            if diff or dry_run and verbosity > 1:
                for name in item.added:
                    self.stdout.write(f"  + {name}")
                for name in item.removed:
                    self.stdout.write(f"  - {name}")
        if all(item.in_sync for item in diffs) and verbosity:
            self.stdout.write("All roles are in sync.")

    def print_status(self, diffs):
        self.stdout.write(f"{'role':<26}{'members':>8}{'permissions':>13}  state")
        for item in diffs:
            state = (
                "in sync"
                if item.in_sync
                else (
                    "missing" if not item.exists else f"out of sync (+{len(item.added)} -{len(item.removed)})"
                )
            )
            self.stdout.write(f"{item.role:<26}{item.members:>8}{item.total:>13}  {state}")
