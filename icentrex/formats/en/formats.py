"""English as it is written in Europe: day, month name, year; 24-hour clock."""

from icentrex.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS  # noqa: F401

DATE_FORMAT = "j F Y"  # 4 December 2026
TIME_FORMAT = "H:i"  # 19:12
DATETIME_FORMAT = "j F Y, H:i"  # 4 December 2026, 19:12
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j M"  # 4 Dec (chart axes)
SHORT_DATE_FORMAT = "j M Y"  # 4 Dec 2026
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 4 Dec 2026, 19:12
FIRST_DAY_OF_WEEK = 1  # Monday
