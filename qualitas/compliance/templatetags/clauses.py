"""Template filters of the clause library's pages. Evidence dates are dates for some record types
(a calibration date) and times for others (an audit-trail entry)."""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def evidence_date(value, with_time=True):
    """A date as a date, a time as a local date and time (or only its date with ``:False``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(value, "DATETIME_FORMAT" if with_time else "DATE_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)
