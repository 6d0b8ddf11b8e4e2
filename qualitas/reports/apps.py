import logging

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "qualitas.reports"
    label = "reports"
    verbose_name = "Reports and inspection packs"

    def ready(self):
        # WeasyPrint logs every step of every rendering (and of its own start) at INFO; a worker
        # that makes packs all day has better things to say. Set before WeasyPrint is imported.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
