import csv
from datetime import UTC

from django.http import StreamingHttpResponse


class _Echo:
    """A file-like object whose write returns the line, for streaming."""

    def write(self, value):
        return value


# A cell starting with one of these is a formula to a spreadsheet (CSV
# injection): member-chosen text such as a team name must not run as one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(cell):
    return "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) else cell


def csv_time(value) -> str:
    """A time in a CSV cell: ISO 8601 in UTC (``2026-12-04T18:12:00+00:00``).

    Deliberately not the page's format: a CSV is read by programs and
    spreadsheets, which parse ISO 8601 in any language and need no time zone
    guessed; the pages next to each download say so (docs/features.md, "Dates and times")."""
    return value.astimezone(UTC).isoformat() if value else ""


def csv_download(*, header: list[str], rows, filename: str) -> StreamingHttpResponse:
    """Stream a CSV attachment row by row, so a long export never sits in memory."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([inert_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
