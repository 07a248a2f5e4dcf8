"""Date and time formats per language (settings.FORMAT_MODULE_PATH).

Django's own English formats are American ("Dec. 4, 2026", "12/04/2026 7:12 p.m."):
a Swede reads 12/04 as 12 April, and a sentence ending in "p.m." gets a double stop.
These modules override them so that every date reads the same way on pages, charts,
CSV notes and emails: a month name or ISO 8601, a 24-hour clock, never d/m or m/d.
Anything not defined here (number separators, say) falls back to Django's module for
the language. Templates use the names (``|date:"SHORT_DATETIME_FORMAT"``), Python uses
``django.utils.formats.date_format``; tests/icentrex/test_date_formats.py keeps
hand-built format strings out of templates and display code.
"""

# Typed dates and times are accepted in ISO 8601 only (what <input type="date"> and
# "datetime-local" send): "04/12/2026" means different days to different readers.
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
