"""An object that lives in a process of its own, called like the object from one thread.

A crawl's process runs Scrapy on one core; work that holds Python's lock there (building,
hashing and compressing WARC records) slows every fetch. Done by an object in a process
started with `spawn`, it runs on another core. Calls go over a pipe, one at a time, in order;
an error comes back as the exception (or, if it cannot be pickled, its text).
"""

from __future__ import annotations

import pickle
import signal
from collections.abc import Callable
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import Any


def crossable(error: Exception) -> Exception:
    """The error itself if it survives a trip between processes, else its text in a
    RuntimeError."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _serve(connection: Connection, factory: Callable[..., Any], options: dict[str, Any]) -> None:
    """Make the object, then run each call sent and answer (ok, value), until the caller hangs
    up; then close the object. If it could not be made, every call gets that error. Ctrl-C is
    the caller's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        target, failure = factory(**options), None
    except Exception as error:
        target, failure = None, crossable(error)
    while True:
        try:
            method, args = connection.recv()
        except EOFError:
            if target is not None:
                target.close()
            return
        if failure is not None:
            connection.send((False, failure))
            continue
        try:
            connection.send((True, getattr(target, method)(*args)))
        except Exception as error:
            connection.send((False, crossable(error)))


class InProcess:
    """`factory(**options)` made in a process of its own; `call` runs one of its methods."""

    def __init__(self, factory: Callable[..., Any], died: str, **options: Any) -> None:
        self.died = died  # the error when the process is gone, e.g. "the … process died"
        context = get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, factory, options), daemon=True)
        self.process.start()
        theirs.close()

    def call(self, method: str, *args: Any) -> Any:
        """The method's result, or the exception it raised."""
        try:
            self.connection.send((method, args))
            ok, value = self.connection.recv()
        except (EOFError, OSError):
            raise RuntimeError(self.died) from None
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Hang up: the object is closed and the process ends."""
        self.connection.close()
        self.process.join(timeout=30)
