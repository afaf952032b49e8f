"""Where a crawl's CPU goes: ms of CPU per page in each process and thread, beside Scrapy's.

Usage: python bench/cpu_split.py [--articles 5000]

Crawls the same nginx-served pages (bench/static_site.py) with the bare Scrapy spider, then
`newsarchive crawl --full --no-warc`, then `newsarchive crawl --full`. While each runs, the CPU
time of every thread of the crawl's process and of every process it started is read from
/proc ten times a second; nginx's is read before and after. Start-up is included. Also
printed: the rate in nginx's log and how much of the machine stayed idle. A process that is
busy well below 100% of a core while the machine idles waits on another; the one near 100%
sets the pace.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from pathlib import Path

from crawl import NEWSARCHIVE, QUIET, children
from static_site import Site, serve

BENCH = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")
WORKER = "extraction worker"


def cpu_seconds(stat: Path) -> float | None:
    """User plus system CPU time of a process or thread, from its /proc stat file."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy_and_total() -> tuple[int, int]:
    """Jiffies the machine spent busy, and in all, since boot."""
    jiffies = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = jiffies[3] + jiffies[4]  # idle, iowait
    return sum(jiffies) - idle, sum(jiffies)


def role(pid: int) -> str:
    """What a process the crawl started is: raw capture holds a WARC file open."""
    try:
        if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return "multiprocessing's resource tracker"
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            if os.readlink(fd).endswith(".warc.gz"):
                return "raw capture process"
    except OSError:
        pass
    return WORKER


def nginx_cpu() -> float:
    total = 0.0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "nginx":
                total += cpu_seconds(comm.with_name("stat")) or 0.0
        except OSError:
            continue
    return total


def measure(label: str, command: list[str], site: Site) -> float:
    """Run a crawler to its end, print its CPU per page split by process and thread; its rate."""
    before_requests, before_nginx = len(site.requests()), nginx_cpu()
    busy_before, total_before = machine_busy_and_total()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    latest: dict[tuple[int, int], float] = {}
    roles: dict[int, str] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            for pid in [process.pid, *children(process.pid)]:
                if pid != process.pid and roles.get(pid, WORKER) == WORKER:
                    roles[pid] = role(pid)  # until raw capture has opened its first file
                try:
                    tasks = list(Path(f"/proc/{pid}/task").iterdir())
                except OSError:
                    continue  # gone
                for task in tasks:
                    if (seconds := cpu_seconds(task / "stat")) is not None:
                        latest[pid, int(task.name)] = seconds

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{label} failed:\n{stderr.decode(errors='replace')}")
    busy_after, total_after = machine_busy_and_total()
    requests = site.requests()[before_requests:]
    if len(requests) < 2:
        raise SystemExit(f"{label} fetched {len(requests)} pages: nothing to measure")
    pages = len(requests)
    span = max(requests[-1][0] - requests[0][0], 0.001)
    idle = 1 - (busy_after - busy_before) / (total_after - total_before)
    print(f"{label}: {pages} pages, {pages / span:.0f} pages/s, machine idle {idle:.0%}")
    split: dict[str, float] = defaultdict(float)
    for (pid, tid), seconds in latest.items():
        if pid == process.pid:
            thread = "main thread" if tid == pid else "other threads (the archive writer)"
            split[f"crawl process, {thread}"] += seconds
        else:
            split[roles.get(pid, WORKER)] += seconds
    split["nginx"] = nginx_cpu() - before_nginx
    for name, seconds in sorted(split.items(), key=lambda item: -item[1]):
        print(f"  {name:<55} {1000 * seconds / pages:5.2f} ms/page")
    print(f"  {'all':<55} {1000 * sum(split.values()) / pages:5.2f} ms/page")
    return pages / span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles of the site")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        with serve(work / "site", args.articles) as site:
            bare = [sys.executable, str(BENCH / "bare_spider.py"), "--base-url", site.url,
                    "--articles", str(args.articles)]  # fmt: skip
            baseline = measure("bare Scrapy", bare, site)
            for label, options in (("no WARC", ["--no-warc"]), ("with WARC", [])):
                db = work / f"{label.replace(' ', '-')}.db"
                ours = [str(NEWSARCHIVE), "crawl", "--full", "--base-url", site.url,
                        "--db", str(db), *QUIET, *options]  # fmt: skip
                rate = measure(f"newsarchive, {label}", ours, site)
                print(f"ratio {label} / bare in this run: {rate / baseline:.2f}")


if __name__ == "__main__":
    main()
