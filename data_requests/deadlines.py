"""When a data-subject request must be answered (GDPR Art. 12(3)): within one
month of receipt, extendable by two further months. A month is counted in the
calendar, in the controller's time zone (TIME_ZONE): a request received on
31 January is due on 28 February (29 in a leap year), one received on 15 March
on 15 April; the local date of receipt decides, whatever the clock change.

Weekends and public holidays do not move the date here: the regulation's own
counting rule (Regulation 1182/71 art. 3(4)) would, but answering on time is
safer than relying on it, and the queue shows the date it uses."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings

MAX_EXTENSION_MONTHS = 2


def received_on(received_at: datetime) -> date:
    """The day of receipt, in the controller's time zone."""
    return received_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def due_on(received_at: datetime, *, extension_months: int = 0) -> date:
    """The last day to answer: one calendar month from the day of receipt, plus
    the extension (counted from receipt too, so 31 January + 3 months is 30 April,
    not 28 April)."""
    return received_on(received_at) + relativedelta(months=1 + extension_months)
