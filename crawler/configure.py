"""The Scrapy settings of one run: project defaults, loopback speed-ups, the user's values.

A --setting value is checked against the type of the setting's default before anything
starts: a mistyped value would otherwise stop the crawl mid-way with a traceback.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import BaseSettings, Settings

from . import settings as default_settings
from .exceptions import BadSetting
from .paths import default_warc_dir
from .preflight import is_loopback

# How a setting's default value says its --setting value must be read, and what to ask for.
READERS = {
    bool: (Settings.getbool, "True or False"),
    int: (Settings.getint, "a whole number"),
    float: (Settings.getfloat, "a number"),
    dict: (Settings.getdict, "a JSON object"),
    BaseSettings: (Settings.getdict, "a JSON object"),
}


def check_overrides(defaults: Settings, overrides: dict[str, str]) -> None:
    """Refuse a --setting value that the setting's reader would choke on mid-crawl."""
    for key, value in overrides.items():
        reader, kind = READERS.get(type(defaults.get(key)), (None, ""))
        if reader is None:
            continue
        try:
            reader(Settings({key: value}), key)
        except (ValueError, TypeError):
            raise BadSetting(f"--setting {key}={value!r}: {key} needs {kind}") from None


def crawl_settings(db: Path, base_url: str, overrides: dict[str, str]) -> Settings:
    """Project defaults, then the loopback speed-ups, then the user's --setting values."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    check_overrides(settings, overrides)
    if is_loopback(base_url):
        settings.setdict(default_settings.LOOPBACK_SETTINGS, priority="project")
    settings.set("NEWSARCHIVE_DB", str(db), priority="cmdline")
    settings.set("NEWSARCHIVE_WARC_DIR", str(default_warc_dir(db)), priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings
