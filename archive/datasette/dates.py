"""Dates as a Russian reader says them («23 ноября 2017, 14:05»), ISO kept for a tooltip."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
MONTHS_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


def date_words(iso: str | None) -> str:
    """«23 ноября 2017, 14:05» for an ISO timestamp (the site's local time, as archived);
    «23 ноября 2017» for a bare date; the text unchanged if it is not ISO."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    day = f"{moment.day} {MONTHS_GENITIVE[moment.month - 1]} {moment.year}"
    return day if len(iso) <= 10 else f"{day}, {moment:%H:%M}"


def month_words(month: str | None) -> str:
    """«ноябрь 2017» for `2017-11`."""
    try:
        year, number = (int(part) for part in (month or "").split("-"))
        return f"{MONTHS_NOMINATIVE[number - 1]} {year}"
    except (ValueError, IndexError):
        return month or ""


def month_short(month: str | None) -> str:
    """«ноя» for `2017-11`: a month inside its year's group."""
    try:
        return MONTHS_NOMINATIVE[int((month or "")[5:7]) - 1][:3]
    except (ValueError, IndexError):
        return month or ""


def time_element(iso: str | None) -> Markup:
    """A <time> showing the date in words, with the ISO form as its tooltip and datetime."""
    if not iso:
        return Markup("")
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(
        escape(iso), date_words(iso)
    )
