"""A crawl shared on Redis: crawl rate of one and two crawlers, writer throughput, Redis memory
and a crawler's CPU, against the plain single-machine crawl.

Usage: python bench/scale.py [--articles 3000] [--repeats 2] [--writer-articles 3000] [--warc]
       [--ids] [--work DIR]

nginx serves the simulator's pages (bench/static_site.py). Each repeat crawls the site fully
three ways, one after the other: `newsarchive crawl --db` (the reference), one
`newsarchive crawl --redis` with its `newsarchive write`, and two crawlers with their writer;
every shared crawl on a redis-server of its own (AOF on, no snapshots), with a fresh archive
and raw capture directories. Rates are pages over the time from the first request to the last
in nginx's log, best of the repeats. `--warc` adds the same with raw capture on, `--ids` the
same over the site's id range (`crawl --ids`: every request queued at once, no listing walk).

Writer throughput: a shared crawl with raw capture whose writer is stopped once it has started
the run, so that the crawler's real batches (records with WARC pointers) stay in the stream;
they are packed again into entries of 100 articles (`--writer-articles` of them, then the
crawler's "end" entry), and a new `newsarchive write` is timed from opening the archive until
the stream is empty. Redis memory: 10,000 article requests of the real spider pushed through
the shared scheduler's queue (`crawler.leases.LeasedQueue`), and the frontier the writer
publishes, after the best one-crawler crawl. CPU (user+sys) of that crawl per 1,000 pages:
its crawler and extraction worker while crawling (sampled from /proc between the first request
and the last) and over their whole life (wait4); the writer's and redis-server's.
"""

from __future__ import annotations

import argparse
import bisect
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from crawl import NEWSARCHIVE, QUIET, children, fresh, machine
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from static_site import Site, _free_port, serve

import crawler.settings as default_settings
from archive.shared import (
    ARCHIVE_PATH,
    STREAM,
    Sender,
    decode_entry,
    encode_entry,
    run_key,
    site_key,
)
from crawler.leases import LeasedQueue
from spiders.sdelanounas import SdelanounasSpider

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
SITE = SdelanounasSpider.name
ARTICLE = re.compile(r"^/blogs/\d+/$")
QUEUED = 10_000  # requests pushed for the queue's memory
BATCH = 100  # articles per stream entry in the writer's backlog
TICK = os.sysconf("SC_CLK_TCK")
EXPECTED = "layout no profile knows"  # the simulator has one page in an unknown layout
TITLES = {
    "local": "local --db (reference)",
    "one": "shared, one crawler",
    "two": "shared, two crawlers",
}
NO_END_WAIT = ("--setting", "NEWSARCHIVE_SHARED_END_WAIT=0")  # the writer is away: end at once
LISTS = ("articles", "failures", "gone", "not_modified", "judged", "sources")


@dataclass(frozen=True)
class RedisServer:
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def cpu_seconds(self) -> float:
        cpu = self.client().info("cpu")
        return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    """A redis-server of the benchmark's own on a free port: AOF on, no snapshots."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    server = RedisServer(_free_port())
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(server.port), "--bind", "127.0.0.1", "--dir", str(directory),
         "--appendonly", "yes", "--save", "", "--logfile", str(directory / "redis.log")],
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not ping(server):
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("redis-server did not start (apt-get install redis-server)")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


def ping(server: RedisServer) -> bool:
    try:
        return bool(server.client().ping())
    except redis.ConnectionError:
        return False


@dataclass
class Child:
    """A process of the benchmark's, its output in a file; `finish` reaps it with its CPU time
    (its own and that of the children it waited for: a crawler's extraction worker)."""

    process: subprocess.Popen[str]
    log: Path

    def finish(self, timeout: float = 600) -> tuple[int, float, str]:
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self.process.kill()
                raise SystemExit(f"{self.log.name}: no end after {timeout} s")
            time.sleep(0.02)
        code = os.waitstatus_to_exitcode(status)
        self.process.returncode = code
        return code, usage.ru_utime + usage.ru_stime, self.log.read_text()


def launch(command: list[str], log: Path) -> Child:
    with log.open("w") as output:  # the child has its own copy of the descriptor
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
    return Child(process, log)


def stop_writer(writer: Child) -> tuple[float, str]:
    """SIGTERM: it commits what it read, says so, exits 0. Its CPU seconds and summary line."""
    writer.process.send_signal(signal.SIGTERM)
    code, cpu, output = writer.finish(timeout=60)
    if code != 0:
        raise SystemExit(f"newsarchive write exited with {code}:\n{output}")
    return cpu, output.strip().splitlines()[-1]


class TreeCPU:
    """CPU time of crawler processes and of their children (the extraction workers), sampled
    from /proc every 100 ms: the workers' share, and what the crawl cost between two moments,
    start-up and shutdown left out."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.own: dict[int, float] = {}
        self.workers: dict[int, float] = {}
        self.samples: list[tuple[float, float]] = []  # (epoch seconds, CPU seconds of all)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def stop(self) -> float:
        """The CPU seconds of the workers, as last seen."""
        self.done.set()
        self.thread.join()
        return sum(self.workers.values())

    def between(self, start: float, end: float) -> float:
        return self._at(end) - self._at(start)

    def _at(self, moment: float) -> float:
        if not self.samples:
            return 0.0
        index = bisect.bisect_left(self.samples, (moment,))
        if index in (0, len(self.samples)):
            return self.samples[min(index, len(self.samples) - 1)][1]
        (before, low), (after, high) = self.samples[index - 1], self.samples[index]
        return low + (high - low) * (moment - before) / (after - before)

    def _sample(self) -> None:
        while not self.done.wait(0.1):
            for pid in self.pids:
                if (seconds := cpu_seconds(pid)) is not None:
                    self.own[pid] = seconds
                for child in children(pid):
                    if (seconds := cpu_seconds(child)) is not None:
                        self.workers[child] = seconds
            total = sum(self.own.values()) + sum(self.workers.values())
            self.samples.append((time.time(), total))


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


@dataclass
class Crawl:
    """One crawl as the server saw it, and what its processes cost."""

    pages: int
    seconds: float
    crawler_cpu: float  # crawler processes with their extraction workers
    worker_cpu: float = 0.0  # … of which the extraction workers
    crawling_cpu: float = 0.0  # crawlers and workers from the first request to the last
    writer_cpu: float = 0.0
    redis_cpu: float = 0.0
    redis_commands: int = 0
    frontier: dict[str, int] = field(default_factory=dict)  # published key -> bytes
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds

    def per_thousand(self, seconds: float) -> float:
        return 1000 * seconds / self.pages


def served(site: Site, before: int) -> tuple[list[tuple[float, int, str]], float]:
    """The requests since the `before`th, and the time from the first of them to the last."""
    requests = site.requests()[before:]
    seconds = requests[-1][0] - requests[0][0] if len(requests) > 1 else 0.0
    return requests, max(seconds, 0.001)


def check(requests: list[tuple[float, int, str]], db: Path, articles: int) -> list[str]:
    """What looks wrong with a crawl: pages fetched twice, errors, articles not archived."""
    notes = []
    twice = sum(n - 1 for n in Counter(t for _, _, t in requests if ARTICLE.match(t)).values())
    if twice:
        notes.append(f"{twice} article pages fetched more than once")
    if failed := sum(1 for _, status, _ in requests if status >= 400):
        notes.append(f"{failed} requests answered >= 400")
    if (count := archived(db)) != articles:
        notes.append(f"{count} articles archived of {articles}")
    return notes


def odd_lines(output: str) -> list[str]:
    return [
        line.strip()
        for line in output.splitlines()
        if re.search(r"Traceback|ERROR|Error|Warning|WARNING", line) and EXPECTED not in line
    ][:3]


def local_crawl(site: Site, db: Path, articles: int, *options: str) -> Crawl:
    before = len(site.requests())
    command = [str(NEWSARCHIVE), "crawl", "--base-url", site.url, "--db", str(db), *QUIET]
    crawler = launch([*command, *options], db.with_suffix(".log"))
    tree = TreeCPU([crawler.process.pid])
    code, cpu, output = crawler.finish()
    workers = tree.stop()
    if code != 0:
        raise SystemExit(f"newsarchive crawl --db exited with {code}:\n{output}")
    requests, seconds = served(site, before)
    crawling = tree.between(requests[0][0], requests[-1][0])
    notes = check(requests, db, articles) + odd_lines(output)
    return Crawl(len(requests), seconds, cpu, workers, crawling, notes=notes)


def crawler_command(site: Site, server: RedisServer, warc_dir: Path, *options: str) -> list[str]:
    shutil.rmtree(warc_dir, ignore_errors=True)
    return [str(NEWSARCHIVE), "crawl", "--redis", server.url, "--base-url", site.url,
            "--warc-dir", str(warc_dir), *QUIET, *options]  # fmt: skip


def wait_for_run(client: redis.Redis, states: tuple[str, ...], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while client.hget(site_key(SITE, "run"), "state") not in {s.encode() for s in states}:
        if time.monotonic() > deadline:
            raise SystemExit(f"the shared run did not reach {states} within {timeout} s")
        time.sleep(0.01)


def shared_crawl(
    site: Site, work: Path, name: str, crawlers: int, articles: int, *options: str
) -> Crawl:
    """A whole shared run on a fresh Redis: the writer, `crawlers` crawlers, the writer stopped
    once it has written the run's end."""
    db = fresh(work / f"{name}.db")
    with redis_server(work / f"{name}-redis") as server:
        writer = launch(writer_command(server, db), work / f"{name}-writer.log")
        before = len(site.requests())
        running = [
            launch(
                crawler_command(site, server, work / f"{name}-warc-{number}", *options),
                work / f"{name}-crawler-{number}.log",
            )
            for number in range(crawlers)
        ]
        tree = TreeCPU([child.process.pid for child in running])
        ended = [child.finish() for child in running]
        workers = tree.stop()
        for code, _, output in ended:
            if code != 0:
                writer.process.kill()
                raise SystemExit(f"newsarchive crawl --redis exited with {code}:\n{output}")
        client = server.client()
        wait_for_run(client, ("written",), timeout=60)
        writer_cpu, _ = stop_writer(writer)
        frontier = {
            part: int(client.memory_usage(site_key(SITE, part), samples=0) or 0)
            for part in ("known", "urls")
        }
        redis_cpu = server.cpu_seconds()
        commands = int(client.info("stats")["total_commands_processed"])
    requests, seconds = served(site, before)
    notes = check(requests, db, articles)
    for _, _, output in ended:
        notes += odd_lines(output)
    crawling = tree.between(requests[0][0], requests[-1][0])
    crawler_cpu = sum(cpu for _, cpu, _ in ended)
    return Crawl(len(requests), seconds, crawler_cpu, workers, crawling, writer_cpu, redis_cpu,
                 commands, frontier, notes)  # fmt: skip


def crawl_rates(
    site: Site, work: Path, articles: int, repeats: int, label: str, *options: str
) -> dict[str, Crawl]:
    """Local, one shared crawler, two: `repeats` rounds; the best of each, by rate."""
    tag = re.sub(r"\W+", "-", label)
    rounds: dict[str, list[Crawl]] = {"local": [], "one": [], "two": []}
    for repeat in range(repeats):
        db = fresh(work / f"local-{tag}-{repeat}.db")
        rounds["local"].append(local_crawl(site, db, articles, *options))
        for name, crawlers in (("one", 1), ("two", 2)):
            run = shared_crawl(site, work, f"{name}-{tag}-{repeat}", crawlers, articles, *options)
            rounds[name].append(run)
    best = {name: max(runs, key=lambda run: run.rate) for name, runs in rounds.items()}
    print(f"crawl rate, {label} ({' '.join(options)}): {articles} articles, best of {repeats}")
    for name, run in best.items():
        rates = ", ".join(f"{each.rate:.0f}" for each in rounds[name])
        busy = run.crawling_cpu / run.seconds
        print(
            f"  {TITLES[name]:<22} {run.pages} pages in {run.seconds:.1f} s: {run.rate:.0f} pages/s"
            f" (each repeat: {rates}; crawlers' cores busy: {busy:.2f})"
        )
        for note in dict.fromkeys(note for runs in rounds[name] for note in runs.notes):
            print(f"    note: {note}")
    print(f"ratio two/one ({label}): {best['two'].rate / best['one'].rate:.2f}")
    print(f"ratio one-shared/local ({label}): {best['one'].rate / best['local'].rate:.2f}")
    return best


def repack(bodies: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The crawler's batch bodies as bodies of `BATCH` articles each (at most `limit` articles
    in all), each carrying what the batches its articles came from carried besides."""
    packed: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    taken = 0

    sender = Sender()  # repacked batches are new batches: numbered anew, by a sender of their own

    def empty(template: dict[str, Any]) -> dict[str, Any]:
        fresh = {**template, **{part: [] for part in LISTS}, "counters": {}}
        return sender.stamp(fresh)

    for body in bodies:
        if taken >= limit:
            break
        current = current or empty(body)
        for part in LISTS[1:]:
            current[part] += body.get(part, [])
        for name, value in body.get("counters", {}).items():
            current["counters"][name] = current["counters"].get(name, 0) + value
        for name in ("cursor", "high_water", "seen_at"):
            if body.get(name) is not None:
                current[name] = body[name]
        for record in body.get("articles", [])[: limit - taken]:
            current["articles"].append(record)
            taken += 1
            if len(current["articles"]) == BATCH:
                packed.append(current)
                current = empty(body)
    if current is not None and any(current[part] for part in LISTS):
        packed.append(current)
    return packed


def fill_backlog(site: Site, server: RedisServer, db: Path, work: Path, wanted: int) -> str:
    """A shared run with raw capture, started by a writer stopped at once: the crawler's
    batches stay in the stream, packed again into entries of `BATCH` articles, then its end.
    What the backlog holds, in words."""
    client = server.client()
    first = launch(writer_command(server, db), work / "writer-start.log")
    feeding = crawler_command(site, server, work / "writer-warc", "--full", *NO_END_WAIT)
    crawler = launch(feeding, work / "writer-crawler.log")
    wait_for_run(client, ("running",))
    _, first_line = stop_writer(first)
    code, _, output = crawler.finish()
    if code != 0:
        raise SystemExit(f"the crawler feeding the writer exited with {code}:\n{output}")
    entries = [(entry_id, *decode_entry(fields)) for entry_id, fields in client.xrange(STREAM)]
    packed = repack([body for _, kind, body in entries if kind == "batch"], wanted)
    ends = [body for _, kind, body in entries if kind == "end"]
    pipe = client.pipeline()
    pipe.xdel(STREAM, *[entry_id for entry_id, _, _ in entries])
    for kind, bodies in (("batch", packed), ("end", ends)):
        for body in bodies:
            pipe.xadd(STREAM, encode_entry(kind, body))
    pipe.delete(ARCHIVE_PATH)  # set again by the next writer once it has the archive open
    pipe.execute()
    articles = sum(len(body["articles"]) for body in packed)
    if archived(db):  # the first writer got a batch before it stopped
        print(f"  note: {archived(db)} articles written before the backlog ({first_line})")
    backlog = int(client.memory_usage(STREAM, samples=0) or 0) / articles * 1000 / 2**20
    return (
        f"{articles} articles in {len(packed)} entries of {BATCH} (+{len(ends)} end),"
        f" {backlog:.2f} MB of Redis per 1,000 articles waiting"
    )


def writer_throughput(site: Site, work: Path, wanted: int) -> float:
    """Articles per second of `newsarchive write` over a backlog of real batches, from its
    opening the archive until the stream is empty."""
    db = fresh(work / "writer.db")
    with redis_server(work / "writer-redis") as server:
        client = server.client()
        backlog = fill_backlog(site, server, db, work, wanted)
        before = archived(db)
        started = time.monotonic()
        writer = launch(writer_command(server, db), work / "writer.log")
        opened = None
        while True:
            exists, length = client.pipeline().exists(ARCHIVE_PATH).xlen(STREAM).execute()
            now = time.monotonic()
            opened = opened or (now if exists else None)
            if opened is not None and not length:
                break
            if writer.process.poll() is not None or now - started > 600:
                raise SystemExit(f"the writer stopped early:\n{writer.log.read_text()}")
            time.sleep(0.005)
        _, line = stop_writer(writer)
    written = archived(db) - before
    with sqlite3.connect(db) as conn:
        pointers = conn.execute(
            "SELECT count(*) FROM articles WHERE warc_file IS NOT NULL AND warc_offset IS NOT NULL"
        ).fetchone()[0]
    rate = written / (now - opened)
    print(f"writer: {backlog}; {written} articles written, {pointers} with WARC pointers")
    print(f"  from archive open to an empty stream: {now - opened:.2f} s: {rate:.0f} articles/s"
          f" (process start to open: {opened - started:.2f} s)")  # fmt: skip
    print(f"  the writer's own line: {line}")
    return rate


def archived(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        count: int = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return count


def writer_command(server: RedisServer, db: Path) -> list[str]:
    return [str(NEWSARCHIVE), "write", "--redis", server.url, "--db", str(db)]


def spider(base_url: str, token: str) -> SdelanounasSpider:
    """The project's spider, with the settings a shared crawl's scheduler reads."""
    settings = Settings()
    settings.setmodule(default_settings)
    settings.set("NEWSARCHIVE_SHARED_SITE", SITE)
    settings.set("NEWSARCHIVE_SHARED_RUN", token)
    made = SdelanounasSpider(base_url=base_url)
    made._set_crawler(Crawler(SdelanounasSpider, settings))
    return made


def queue_memory(site: Site, work: Path) -> None:
    """MB of Redis per 1,000 article requests in the shared queue, as a listing page queues
    them (`id_request`, at the depth the depth middleware gives), pushed by `LeasedQueue`."""
    newest = article_ids(site)[1]
    with redis_server(work / "memory-redis") as server:
        client = server.client()
        token = "bench"
        queue = LeasedQueue(client, spider(site.url, token), run_key(SITE, token, "queue"))
        before = int(client.info("memory")["used_memory"])
        sizes = []
        for number in range(QUEUED):
            page = number // 10  # a listing page shows ten articles
            request = queue.spider.id_request(str(newest - number), page, dont_filter=True)
            request.meta["depth"] = page + 1
            sizes.append(len(queue._encode_request(request)))
            queue.push(request)
        after = int(client.info("memory")["used_memory"])
        key = int(client.memory_usage(queue.key, samples=0) or 0)
        assert len(queue) == QUEUED
    per = 1000 / QUEUED / 2**20
    print(f"Redis memory, queue: {QUEUED} article requests (encoded {sum(sizes) / QUEUED:.0f} B"
          f" each): {(after - before) * per:.2f} MB per 1,000 queued requests (used_memory;"
          f" the key alone {key * per:.2f} MB)")  # fmt: skip


def article_ids(site: Site) -> tuple[int, int]:
    """The lowest and highest article id of the site being served."""
    pages = site.log.parent.parent / "pages" / "blogs"  # see static_site.render
    ids = [int(page.name) for page in pages.iterdir() if page.name.isdigit()]
    return min(ids), max(ids)


def cpu(best: dict[str, Crawl]) -> None:
    one, local = best["one"], best["local"]
    crawling = one.per_thousand(one.crawling_cpu)
    whole, worker = one.per_thousand(one.crawler_cpu), one.per_thousand(one.worker_cpu)
    print("CPU of one shared crawler (its process and extraction worker, user+sys):")
    print(
        f"  while crawling: {crawling:.1f} s per 1,000 pages, {one.crawling_cpu / one.seconds:.2f}"
        f" cores busy; one core sustains about {1000 / crawling:.0f} pages/s of crawling"
    )
    print(
        f"  its whole life, start-up included: {whole:.1f} s per 1,000 pages"
        f" ({whole - worker:.1f} s the crawler, {worker:.1f} s its worker)"
    )
    print(
        f"  beside it, whole life: writer {one.per_thousand(one.writer_cpu):.1f} s, redis-server"
        f" {one.per_thousand(one.redis_cpu):.1f} s per 1,000 pages; Redis commands per page:"
        f" {one.redis_commands / one.pages:.0f} (crawler and writer, scripts' commands included)"
    )
    reference = local.per_thousand(local.crawling_cpu)
    print(
        f"  local crawl (--db), while crawling: {reference:.1f} s per 1,000 pages,"
        f" {local.crawling_cpu / local.seconds:.2f} cores busy"
    )
    print(f"ratio CPU per page while crawling one-shared/local: {crawling / reference:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000, help="articles of the site")
    parser.add_argument("--repeats", type=int, default=2, help="best of this many crawls each")
    parser.add_argument(
        "--writer-articles", type=int, default=3000, help="articles in the writer's backlog"
    )
    parser.add_argument("--warc", action="store_true", help="also crawl with raw capture")
    parser.add_argument(
        "--ids", action="store_true", help="also crawl the id range (--ids): no listing walk"
    )
    parser.add_argument("--work", type=Path, help="keep rendered pages, archives and logs here")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each figure as soon as it is measured
    print(f"machine: {machine()}; {REDIS_SERVER} (AOF on)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        with serve(work / f"site-{args.articles}", args.articles) as site:
            crawls = (site, work, args.articles, args.repeats)
            best = crawl_rates(*crawls, "no WARC", "--full", "--no-warc")
            if args.warc:
                crawl_rates(*crawls, "with raw capture", "--full")
            if args.ids:
                low, high = article_ids(site)
                crawl_rates(*crawls, "no listing walk", "--ids", f"{low}-{high}", "--no-warc")
            one = best["one"]
            for part, size in one.frontier.items():
                per = size / args.articles * 1000 / 2**20
                print(f"Redis memory, published frontier `{part}`: {per:.3f} MB per 1,000"
                      " archived articles")  # fmt: skip
            queue_memory(site, work)
            if args.writer_articles == args.articles:
                rate = writer_throughput(site, work, args.writer_articles)
        if args.writer_articles != args.articles:
            with serve(work / f"site-{args.writer_articles}", args.writer_articles) as site:
                rate = writer_throughput(site, work, args.writer_articles)
        per_page = one.pages / args.articles  # pages fetched per article archived
        print(f"ratio writer / one crawler, articles/s: {rate / (one.rate / per_page):.2f}")
        cpu(best)
    print(f"took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
