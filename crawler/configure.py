"""The Scrapy settings of one run: project defaults, loopback speed-ups, the user's values.

A --setting is checked by name and by value before anything starts: a misspelt name would
otherwise be ignored silently, and a mistyped value stop the crawl mid-way with a traceback.
The known names are Scrapy's own defaults and ours; a value must read as the type of the
setting's default (a setting whose default is None takes any text), and our settings whose
text has a form (a list of delays) must have it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings, Settings
from scrapy.settings import default_settings as scrapy_defaults

from . import settings as default_settings
from .exceptions import BadSetting
from .paths import default_warc_dir
from .preflight import is_loopback

# How a setting's default value says its --setting value must be read, and what to ask for.
READERS: dict[type, tuple[Callable[[Settings, str], object], str]] = {
    bool: (Settings.getbool, "True or False"),
    int: (Settings.getint, "a whole number"),
    float: (Settings.getfloat, "a number"),
    dict: (Settings.getdict, "a JSON object"),
    BaseSettings: (Settings.getdict, "a JSON object"),
}


def _delays(value: str) -> Any:
    from .pipelines import recheck_delays

    delays = recheck_delays(value)
    if not delays or any(delay < 0 for delay in delays):
        raise ValueError(value)
    return delays


# Settings of ours whose text has a form, with its reader and what to ask for.
FORMS: dict[str, tuple[Callable[[str], Any], str]] = {
    "NEWSARCHIVE_RECHECK_AFTER": (_delays, "seconds separated by commas, e.g. 3600,86400"),
    "NEWSARCHIVE_RETRY_FAILED_AFTER": (_delays, "seconds separated by commas, e.g. 0,86400"),
}


# Settings that name components; a component may declare the settings it reads in a class
# attribute `SETTINGS` (a tuple of names), which a run then knows too.
COMPONENT_SETTINGS = (
    "EXTENSIONS",
    "DOWNLOADER_MIDDLEWARES",
    "SPIDER_MIDDLEWARES",
    "ITEM_PIPELINES",
)


def known_settings(overrides: dict[str, str]) -> set[str]:
    """Every setting name a run understands: Scrapy's, Newsarchive's, and those that the
    components it is given declare."""
    names = {name for name in dir(scrapy_defaults) if name.isupper()}
    names |= {name for name in dir(default_settings) if name.isupper()}
    for key in COMPONENT_SETTINGS:
        if key in overrides:
            for path in _components(key, overrides[key]):
                names |= set(getattr(_load(path), "SETTINGS", ()))
    return names


def _components(key: str, value: str) -> list[str]:
    try:
        return [str(path) for path in Settings({key: value}).getdict(key)]
    except (ValueError, TypeError):
        raise BadSetting(f"--setting {key}={value!r}: {key} needs a JSON object") from None


def _load(path: str) -> Any:
    from scrapy.utils.misc import load_object

    try:
        return load_object(path)
    except Exception as error:  # any error importing a user's component is one line
        raise BadSetting(f"cannot load the component {path}: {error}") from None


def check_schedule(key: str, value: str) -> None:
    """Refuse a schedule setting whose text is not of its form."""
    reader, kind = FORMS[key]
    try:
        reader(value)
    except (ValueError, TypeError):
        raise BadSetting(f"--setting {key}={value!r}: {key} needs {kind}") from None


def check_overrides(defaults: Settings, overrides: dict[str, str]) -> None:
    """Refuse a --setting whose name no component knows, or whose value its reader would
    choke on mid-crawl."""
    known = known_settings(overrides)
    for key, value in overrides.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]}?" if close else "; see crawler/settings.py"
            raise BadSetting(f"unknown setting {key}{hint}")
        if key in FORMS:
            check_schedule(key, value)
            continue
        getter, kind = READERS.get(type(defaults.get(key)), (None, ""))
        if getter is None:
            continue
        try:
            getter(Settings({key: value}), key)
        except (ValueError, TypeError):
            raise BadSetting(f"--setting {key}={value!r}: {key} needs {kind}") from None


def crawl_settings(db: Path | None, base_url: str, overrides: dict[str, str]) -> Settings:
    """Project defaults, then the loopback speed-ups, then the user's --setting values. With
    no archive (`db` None) the crawl is a crawler of a shared crawl (`shared_settings`)."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    check_overrides(settings, overrides)
    if is_loopback(base_url):
        settings.setdict(default_settings.LOOPBACK_SETTINGS, priority="project")
    if db is not None:
        settings.set("NEWSARCHIVE_DB", str(db), priority="cmdline")
        settings.set("NEWSARCHIVE_WARC_DIR", str(default_warc_dir(db)), priority="project")
    else:
        settings.set("NEWSARCHIVE_DB", "", priority="cmdline")
        settings.setdict(default_settings.SHARED_SETTINGS, priority="project")
        settings.set("NEWSARCHIVE_WARC_DIR", default_settings.SHARED_WARC_DIR, priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings
