"""crawler.worker: an object in a process of its own answers calls from the event loop, in
order, and its errors say why."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path

import pytest

from archive.warc import WarcWriter
from crawler.worker import Worker, WorkerDied


class Unsendable(Exception):
    """An error that cannot be pickled: it holds a lock."""

    def __init__(self) -> None:
        super().__init__("holds a lock")
        self.lock = threading.Lock()


class Unrebuildable(Exception):
    """An error that pickles but cannot be rebuilt: its constructor wants two arguments."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"{what}: {why}")


class Echo:
    """Answers with what it is sent; closing writes a file, to show the worker closes it."""

    def __init__(self, closed: Path | None = None) -> None:
        self.closed = closed
        self.calls = 0

    def echo(self, value: object) -> object:
        self.calls += 1
        return value

    def count(self) -> int:
        return self.calls

    def fail(self, unrebuildable: bool) -> None:
        raise Unrebuildable("page", "broken") if unrebuildable else Unsendable

    def close(self) -> None:
        if self.closed is not None:
            self.closed.write_text(str(self.calls))


def test_calls_are_answered_in_order_and_an_error_that_cannot_cross_comes_as_its_text(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        echo = Worker(Echo, "the echo process died", closed=tmp_path / "closed")
        answers = [echo.call("echo", [n, "два"]) for n in range(200)]  # sent before connecting
        assert await asyncio.gather(*answers) == [[n, "два"] for n in range(200)]
        with pytest.raises(RuntimeError, match=r"^Unsendable: holds a lock$"):
            await echo.call("fail", False)
        with pytest.raises(RuntimeError, match=r"^Unrebuildable: page: broken$"):
            await echo.call("fail", True)
        last = echo.call("echo", 3)  # not awaited before closing: close still answers it
        await echo.close()
        assert last.result() == 3
        assert echo.process.exitcode == 0

    asyncio.run(scenario())
    assert (tmp_path / "closed").read_text() == "201"  # closed after its last call


def test_an_object_that_cannot_be_made_fails_every_call_with_the_reason(tmp_path: Path) -> None:
    in_the_way = tmp_path / "warc"
    in_the_way.write_text("a file where the WARC directory should be")

    async def scenario() -> None:
        writer = Worker(
            WarcWriter, "the raw capture process died", directory=in_the_way, prefix="x",
            software="s", run_id=1, max_size=1000,
        )  # fmt: skip
        try:
            for _ in range(2):
                with pytest.raises(FileExistsError):
                    await writer.call("flush")
        finally:
            await writer.close()

    asyncio.run(scenario())


def test_a_dead_process_fails_what_it_held_and_every_later_call_with_its_callers_words() -> None:
    async def scenario() -> None:
        echo = Worker(Echo, "the echo process died; start again")
        assert await echo.call("echo", 1) == 1
        os.kill(echo.process.pid, signal.SIGKILL)
        with pytest.raises(WorkerDied, match=r"^the echo process died; start again$"):
            await echo.call("echo", 2)
        with pytest.raises(WorkerDied, match=r"^the echo process died; start again$"):
            await echo.call("count")
        await echo.close()

    asyncio.run(scenario())
