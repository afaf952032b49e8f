"""The egg that `scrapyd-deploy` uploads; every other build (pip, build) is pyproject.toml's.

scrapyd-deploy builds with `setup.py clean -a` and `setup.py bdist_egg`, writing a setup.py of its
own where there is none: that one names the project "project", packs tests/, and setuptools drops
its entry point for pyproject.toml's. For those two commands this file reads the name, version,
packages and package data from pyproject.toml itself (so that a setuptools older than 77, which
refuses its license string, builds the egg too), adds the entry point through which scrapyd finds
the settings module (scrapy.cfg's), and builds in a temporary folder, leaving nothing here.
"""

import shutil
import sys
import tempfile
import tomllib
from configparser import ConfigParser
from pathlib import Path
from typing import Any

from setuptools import find_packages, setup  # type: ignore[import-untyped]
from setuptools.dist import Distribution  # type: ignore[import-untyped]


class EggDistribution(Distribution):
    """A distribution told everything by this file: it reads no pyproject.toml."""

    def parse_config_files(self, filenames: Any = None, ignore_option_errors: bool = False) -> None:
        super().parse_config_files(filenames=[], ignore_option_errors=ignore_option_errors)


def build_egg_command() -> None:
    """Run scrapyd-deploy's command with pyproject.toml's packages, in a temporary folder."""
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    tools = project["tool"]["setuptools"]
    scrapy_cfg = ConfigParser()
    scrapy_cfg.read("scrapy.cfg")
    work = Path(tempfile.mkdtemp(prefix="newsarchive-egg-"))
    try:
        setup(
            distclass=EggDistribution,
            name=project["project"]["name"],
            version=project["project"]["version"],
            packages=find_packages(include=tools["packages"]["find"]["include"]),
            package_data=tools["package-data"],
            entry_points={"scrapy": [f"settings = {scrapy_cfg['settings']['default']}"]},
            zip_safe=False,  # the registry and templates are read as files: unpack the egg
            options={
                "build": {"build_base": str(work / "build")},
                "egg_info": {"egg_base": str(work)},
            },
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if sys.argv[1:2] in (["clean"], ["bdist_egg"]):
    build_egg_command()
else:
    setup()
