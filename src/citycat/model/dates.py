"""Dates as people write them: 2026-12-31, or 31/12/2026 as Vietnamese documents write it."""

from __future__ import annotations

import datetime as dt
import re

DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def day_month_year(text: str) -> dt.date | None:
    """``text`` as a day/month/year date (31/12/2026, 31.12.2026, 31-12-2026), or None."""
    match = DAY_MONTH_YEAR.match(str(text))
    if not match:
        return None
    day, month, year = map(int, match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_date(text: str) -> dt.date | None:
    """``text`` as a date, ISO (2026-12-31) or day/month/year (31/12/2026); None when it is neither."""
    found = day_month_year(text)
    if found:
        return found
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        return None
