from django.core.management.base import BaseCommand

from qualitas.core.audit_export import write_export


class Command(BaseCommand):
    help = (
        "Write the audit hash chain and every entry to a JSON Lines file, for offline verification "
        "with `python -m qualitas.core.offline_verify FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", default="-", help="The file to write (default: standard output)."
        )
        parser.add_argument(
            "--no-seal", action="store_true", help="Export without sealing pending entries first."
        )

    def handle(self, *args, output="-", no_seal=False, **options):
        detail = f"manage.py export_audit --output {output}"[:300]
        if output == "-":
            write_export(self.stdout, seal_first=not no_seal, detail=detail)
            return
        with open(output, "w", encoding="utf-8", newline="\n") as stream:
            end = write_export(stream, seal_first=not no_seal, detail=detail)
        self.stderr.write(
            self.style.SUCCESS(
                f"Wrote {end['links']} chained and {end['unsealed']} unsealed entries to {output}."
            )
        )
