"""scrapyd: the real scrapyd-deploy uploads the project's egg to a real scrapyd on 127.0.0.1, and a
job runs as `newsarchive crawl` (crawler/scrapyd_runner.py), against the site simulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.sites import SITES
from tests.conftest import RunningSite, free_port, rows

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
# What scrapyd-deploy builds the egg from; the copy keeps its build out of the checkout.
DEPLOYED = ("pyproject.toml", "setup.py", "scrapy.cfg", "crawler", "spiders", "archive")
PROJECT = "newsarchive"
# A registry entry only the deployed copy has: listed only if jobs run the egg, not the checkout.
DEPLOYED_ONLY = """\
name = "deployed"
title = "A site only the deployed egg knows"
base_url = "https://deployed.example"
domains = ["deployed.example"]
discovery = ["feed"]
"""


@dataclass
class Scrapyd:
    """A scrapyd serving on 127.0.0.1, with its folder and what it printed."""

    url: str
    folder: Path

    def call(self, endpoint: str, data: dict[str, Any] | None = None) -> Any:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        with urllib.request.urlopen(f"{self.url}/{endpoint}", body, timeout=10) as response:
            return json.load(response)

    def schedule(self, spider: str, **arguments: Any) -> str:
        answer = self.call("schedule.json", {"project": PROJECT, "spider": spider, **arguments})
        assert answer["status"] == "ok", answer
        return str(answer["jobid"])

    def wait_finished(self, job: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(done["id"] == job for done in self.call("listjobs.json")["finished"]):
                return
            time.sleep(0.2)
        raise AssertionError(f"job {job} did not finish within {timeout} s")

    def job_log(self, spider: str, job: str) -> str:
        return (self.folder / "logs" / PROJECT / spider / f"{job}.log").read_text("utf-8")

    def printed(self) -> str:
        return "\n".join(
            f"--- scrapyd {name}:\n{(self.folder / name).read_text('utf-8', 'replace')}"
            for name in ("stdout", "stderr")
        )


SCRAPYD_CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {folder}/eggs
logs_dir = {folder}/logs
items_dir = {folder}/items
dbs_dir = {folder}/dbs
runner = crawler.scrapyd_runner
max_proc = 2
poll_interval = 0.2
"""


def deploy(url: str, copy: Path) -> None:
    """Deploy a copy of the checkout, with one more site, by the real scrapyd-deploy, to a
    target named `test`."""
    for name in DEPLOYED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    (copy / "crawler" / "registry" / "deployed.toml").write_text(DEPLOYED_ONLY, encoding="utf-8")
    with (copy / "scrapy.cfg").open("a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {url}/\n")
    done = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "test"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["status"] == "ok", done.stdout + done.stderr


@pytest.fixture(scope="module")
def scrapyd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """A scrapyd whose runner is ours, with the project deployed to it. The checkout is on its
    PYTHONPATH, as a project installed by pip is on sys.path: the egg must still win."""
    folder = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (folder / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port, folder=folder))
    with (folder / "stdout").open("wb") as out, (folder / "stderr").open("wb") as err:
        process = subprocess.Popen(
            [str(BIN / "scrapyd"), "--pidfile="],
            cwd=folder,
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    server = Scrapyd(f"http://127.0.0.1:{port}", folder)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, server.printed()
            try:
                server.call("daemonstatus.json")
                break
            except OSError:
                assert time.monotonic() < deadline, server.printed()
                time.sleep(0.1)
        deploy(server.url, tmp_path_factory.mktemp("checkout"))
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def scrapyd(scrapyd_server: Scrapyd) -> Iterator[Scrapyd]:
    """The scrapyd of this module; what it printed shows when the test fails."""
    yield scrapyd_server
    print(scrapyd_server.printed())


def test_a_scrapyd_job_is_a_newsarchive_crawl(
    scrapyd: Scrapyd, site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    assert scrapyd.call(f"listspiders.json?project={PROJECT}")["spiders"] == sorted(
        [*SITES, "deployed", "news"]
    )
    job = scrapyd.schedule(
        "sdelanounas",
        db=str(db),
        base_url=site.url,
        max_pages="10",
        no_warc="true",
        setting=["NEWSARCHIVE_PROGRESS_INTERVAL=0"],
    )
    scrapyd.wait_finished(job)

    log = scrapyd.job_log("sdelanounas", job)
    assert f"{site.corpus.count} new, 0 updated" in log and f"-> {db}" in log, log
    assert "Traceback" not in log, log
    assert not (tmp_path / "archive-warc").exists()  # -a no_warc=true was --no-warc
    stored = {article_id for (article_id,) in rows(db, "SELECT id FROM articles")}
    assert stored == {f"sdelanounas:{article_id}" for article_id in site.corpus.ids}
    assert rows(db, "SELECT site, status, exit_code FROM crawl_runs") == [
        ("sdelanounas", "finished", 0)
    ]
    assert f"Process finished: project='{PROJECT}' spider='sdelanounas' job='{job}'" in (
        scrapyd.printed()
    )


def test_a_job_with_an_unknown_argument_ends_with_one_line(
    scrapyd: Scrapyd, site: RunningSite, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    job = scrapyd.schedule("sdelanounas", db=str(db), base_url=site.url, colour="red")
    scrapyd.wait_finished(job)

    log = scrapyd.job_log("sdelanounas", job).splitlines()
    assert log[-1].startswith("Error: unknown argument -a colour; a job takes the options of"), log
    assert "max_pages" in log[-1] and "Traceback" not in "\n".join(log)
    assert not db.exists() or rows(db, "SELECT count(*) FROM crawl_runs") == [(0,)]
    assert site.requests() == []
    assert f"Process died: exitstatus=1 project='{PROJECT}' spider='sdelanounas' job='{job}'" in (
        scrapyd.printed()
    )
