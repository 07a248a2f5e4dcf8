"""Swedish: day and month name, or ISO 8601 when short; 24-hour clock."""

from icentrex.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS  # noqa: F401

DATE_FORMAT = "j F Y"  # 4 december 2026
TIME_FORMAT = "H:i"  # 19:12
DATETIME_FORMAT = r"j F Y \k\l. H:i"  # 4 december 2026 kl. 19:12
YEAR_MONTH_FORMAT = "F Y"  # december 2026
MONTH_DAY_FORMAT = "j b"  # 4 dec (chart axes; "b" is the lower-case abbreviation)
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-04
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-04 19:12
FIRST_DAY_OF_WEEK = 1  # Monday
