"""Dates as the site shows them, turned into ISO 8601 with the Moscow offset of that day."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")
_RUSSIAN_NUMERIC = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\D{0,3}?(\d{1,2}):(\d{2})")


def moscow_iso(moment: datetime) -> str:
    """ISO 8601 in Moscow time; a naive datetime is taken as Moscow wall-clock time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=MOSCOW)
    return moment.astimezone(MOSCOW).isoformat(timespec="seconds")


def parse_iso(value: str) -> str | None:
    """An ISO timestamp from markup (`time[datetime]`, meta tags); without a zone it is UTC."""
    value = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moscow_iso(moment)


def find_russian_numeric(text: str) -> str | None:
    """The first `DD.MM.YYYY HH:MM` (Moscow wall-clock time) in a text."""
    for match in _RUSSIAN_NUMERIC.finditer(text):
        day, month, year, hour, minute = map(int, match.groups())
        try:
            return moscow_iso(datetime(year, month, day, hour, minute))
        except ValueError:
            continue
    return None
