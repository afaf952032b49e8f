"""Dates as pages show them, turned into ISO 8601 with the offset of the site's time zone.

A date with an offset is that instant, shown in the site's zone when the registry knows it
(else in the offset the page gave); a date without one is wall-clock time in the site's zone,
or UTC for a site whose zone is unknown.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")
_RUSSIAN_NUMERIC = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\D{0,3}?(\d{1,2}):(\d{2})")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\D{0,4}?(\d{1,2}):(\d{2}))?")
_MONTHS = {
    **{
        name: number
        for number, names in enumerate(
            (
                "январ янв january jan januar janvier enero gennaio",
                "феврал фев february feb februar février fevrier febrero febbraio",
                "март мар march mar märz marz mars marzo",
                "апрел апр april apr avril abril aprile",
                "ма may mai mayo maggio",
                "июн june jun juni juin junio giugno",
                "июл july jul juli juillet julio luglio",
                "август авг august aug août aout agosto",
                "сентябр сен sep september sept septembre septiembre settembre",
                "октябр окт october oct oktober octobre octubre ottobre",
                "ноябр ноя november nov novembre noviembre",
                "декабр дек december dec dezember décembre decembre diciembre dicembre",
            ),
            start=1,
        )
        for name in names.split()
    }
}
_WORD_MONTH = re.compile(
    r"(?<!\d)(\d{1,2})\.?\s+([A-Za-zА-Яа-яЁёéûä]{3,10})\.?,?\s+(\d{4})"
    r"(?:(?:,|\s|\s?в\s|\s?at\s|\s?um\s|\s?à\s|\s?-\s)*(\d{1,2})[:.](\d{2}))?"
    r"|([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:(?:,|\s|\s?at\s)*(\d{1,2}):(\d{2}))?",
    re.IGNORECASE,
)


def zone(name: str | None) -> tzinfo | None:
    """The time zone of a registry entry, or None where the site's zone is unknown."""
    return ZoneInfo(name) if name else None


def local_iso(moment: datetime, tz: tzinfo | None) -> str:
    """ISO 8601 in the zone (else in the moment's own offset; a naive moment without a zone is
    taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz or UTC)
    if tz is not None:
        moment = moment.astimezone(tz)
    return moment.isoformat(timespec="seconds")


def moscow_iso(moment: datetime) -> str:
    """ISO 8601 in Moscow time; a naive datetime is taken as Moscow wall-clock time."""
    return local_iso(moment, MOSCOW)


def parse_iso(value: str, tz: tzinfo | None = MOSCOW) -> str | None:
    """A timestamp from markup (`time[datetime]`, meta tags, JSON-LD): ISO 8601, or the RFC 2822
    form some sites put in meta tags; without an offset it is wall-clock time in `tz`."""
    value = value.strip()
    if not value or not value[:1].isalnum():
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if not 1900 < moment.year < 2200:
        return None
    return local_iso(moment, tz)


def find_russian_numeric(text: str) -> str | None:
    """The first `DD.MM.YYYY HH:MM` (Moscow wall-clock time) in a text."""
    for match in _RUSSIAN_NUMERIC.finditer(text):
        day, month, year, hour, minute = map(int, match.groups())
        try:
            return moscow_iso(datetime(year, month, day, hour, minute))
        except ValueError:
            continue
    return None


def find_date_in_text(text: str, tz: tzinfo | None) -> str | None:
    """The first date a reader would see in a text: `DD.MM.YYYY[ HH:MM]`, «23 ноября 2017,
    14:05», "5 March 2024", "March 5, 2024 at 9:30" (wall-clock time in `tz`)."""
    found = [(match.start(), _numeric(match)) for match in _NUMERIC_DATE.finditer(text)]
    found += [(match.start(), _worded(match)) for match in _WORD_MONTH.finditer(text)]
    for _, moment in sorted(found, key=lambda pair: pair[0]):
        if moment is not None:
            return local_iso(moment, tz)
    return None


def _numeric(match: re.Match[str]) -> datetime | None:
    day, month, year = int(match[1]), int(match[2]), int(match[3])
    hour, minute = (int(match[4]), int(match[5])) if match[4] else (0, 0)
    return _moment(year, month, day, hour, minute)


def _worded(match: re.Match[str]) -> datetime | None:
    if match[1]:
        day, name, year, hour, minute = match[1], match[2], match[3], match[4], match[5]
    else:
        name, day, year, hour, minute = match[6], match[7], match[8], match[9], match[10]
    month = _month(name)
    if month is None:
        return None
    return _moment(int(year), month, int(day), int(hour or 0), int(minute or 0))


def _month(name: str) -> int | None:
    """The month a name or abbreviation in any case stands for (Russian by its stem)."""
    name = name.lower().rstrip(".")
    if name in _MONTHS:
        return _MONTHS[name]
    for length in range(len(name), 1, -1):
        stem = name[:length]
        if stem in _MONTHS and len(name) <= length + 2:
            return _MONTHS[stem]
    return None


def _moment(year: int, month: int, day: int, hour: int, minute: int) -> datetime | None:
    if not 1900 < year < 2200:
        return None
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None


_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_DATE_LABELS = re.compile(
    r"опубликовано|обновлено|изменено|дата|published|updated|posted|date|veröffentlicht|"
    r"aktualisiert|publié|mis à jour|publicado|actualizado|opublikowano|zaktualizowano|"
    r"pubblicato|aggiornato|am|um|le|el|il|в|at|on|uhr|г",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
# A date line is short: a byline's date, not a sentence that names a date.
DATE_LINE_CHARS = 60


def is_date_line(text: str) -> bool:
    """Whether a short text is only a date (with its time, and a label such as «Опубликовано»
    or "Updated"): a date line that belongs to the byline, not to the article's text."""
    if len(text) > DATE_LINE_CHARS or not _DIGIT.search(text):
        return False
    if find_date_in_text(text, None) is None:
        return False
    rest = _TIME.sub(" ", _WORD_MONTH.sub(" ", _NUMERIC_DATE.sub(" ", text)))
    words = [word for word in _LETTERS.findall(rest) if not _DATE_LABELS.fullmatch(word)]
    return sum(map(len, words)) <= 3
