"""CSV and XLSX export of a Table: exactly the rows and columns the user sees, in that order."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")


class _Echo:
    def write(self, value):
        return value


def _formula_safe(value):
    # Cells starting with these are run as formulas by spreadsheet programs (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def filename(table, extension):
    return (
        f"{table.model._meta.verbose_name_plural.replace(' ', '-')}-{timezone.now():%Y%m%d-%H%M}.{extension}"
    )


def export_csv(table):
    writer = csv.writer(_Echo())
    header = [str(column.verbose_name) for column in table.export_columns()]

    def rows():
        yield writer.writerow(header)
        for row in table.export_rows():
            yield writer.writerow([_formula_safe("" if value is None else value) for value in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(table, "csv")}"'
    return response


def export_xlsx(table, title=None):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or str(table.model._meta.verbose_name_plural))[:31])
    sheet.append([str(column.verbose_name) for column in table.export_columns()])
    for row in table.export_rows():
        sheet.append([_formula_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(table, "xlsx")}"'
    return response


def export(table, fmt):
    if fmt == "xlsx":
        return export_xlsx(table)
    return export_csv(table)
