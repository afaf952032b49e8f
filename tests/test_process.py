"""archive.process: an object in a process of its own answers calls, and its errors say why."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from archive.process import InProcess
from archive.warc import WarcWriter


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
    def echo(self, value: object) -> object:
        return value

    def fail(self, unrebuildable: bool) -> None:
        raise Unrebuildable("page", "broken") if unrebuildable else Unsendable

    def close(self) -> None:
        """Nothing to close."""


def test_a_call_returns_its_value_and_an_error_that_cannot_cross_its_text() -> None:
    echo = InProcess(Echo, "the echo process died")
    try:
        assert echo.call("echo", [1, "два"]) == [1, "два"]
        with pytest.raises(RuntimeError, match=r"^Unsendable: holds a lock$"):
            echo.call("fail", False)
        with pytest.raises(RuntimeError, match=r"^Unrebuildable: page: broken$"):
            echo.call("fail", True)
        assert echo.call("echo", 3) == 3
    finally:
        echo.close()
    assert echo.process.exitcode == 0


def test_an_object_that_cannot_be_made_fails_every_call_with_the_reason(tmp_path: Path) -> None:
    in_the_way = tmp_path / "warc"
    in_the_way.write_text("a file where the WARC directory should be")
    writer = InProcess(
        WarcWriter, "the raw capture process died", directory=in_the_way, prefix="x",
        software="s", run_id=1, max_size=1000,
    )  # fmt: skip
    try:
        for _ in range(2):
            with pytest.raises(FileExistsError):
                writer.call("flush")
    finally:
        writer.close()


def test_a_dead_process_is_the_error_its_caller_chose() -> None:
    echo = InProcess(Echo, "the echo process died; start again")
    assert echo.call("echo", 1) == 1
    os.kill(echo.process.pid, signal.SIGKILL)
    echo.process.join()
    with pytest.raises(RuntimeError, match=r"^the echo process died; start again$"):
        echo.call("echo", 2)
    echo.close()
