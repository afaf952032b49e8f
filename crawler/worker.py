"""An object in a process of its own, called from the crawl's event loop.

Scrapy runs on one core; work that holds Python's lock there (parsing pages; building, hashing
and compressing WARC records) slows every fetch. Done by an object in a process started with
`spawn`, it runs on another core. This is the one way the crawl crosses a process: a call is a
message on a socket that the crawl's own asyncio loop reads, its answer a future; no thread
waits on the process. Calls are answered in order. An error comes back as the exception (or, if
it cannot be pickled, its text); a process that died fails every call it had not answered, and
every later one, with `WorkerDied`.
"""

from __future__ import annotations

import asyncio
import pickle
import signal
import socket
import struct
from collections import deque
from collections.abc import Callable
from multiprocessing import get_context
from typing import Any, cast

LENGTH = struct.Struct("!I")  # each message: its length, then a pickle


class WorkerDied(RuntimeError):
    """The worker's process is gone (killed, out of memory); the message says what to do."""


def crossable(error: Exception) -> Exception:
    """The error itself if it survives a trip between processes, else its text in a
    RuntimeError."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _message(value: object) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def _serve(connection: socket.socket, factory: Callable[..., Any], options: dict[str, Any]) -> None:
    """Make the object, then run each call sent and answer (ok, value), in order, until the
    caller hangs up; then close the object. If it could not be made, every call gets that
    error. Ctrl-C reaches the whole process group: the crawl decides how to stop, so the worker
    ignores it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        target, failure = factory(**options), None
    except Exception as error:
        target, failure = None, crossable(error)
    stream = connection.makefile("rwb")
    while header := stream.read(LENGTH.size):
        method, args = pickle.loads(stream.read(LENGTH.unpack(header)[0]))
        if failure is not None:
            reply = _message((False, failure))
        else:
            try:
                reply = _message((True, getattr(target, method)(*args)))
            except Exception as error:
                reply = _message((False, crossable(error)))
        stream.write(reply)
        stream.flush()
    if target is not None:
        target.close()


class Worker(asyncio.Protocol):
    """`factory(**options)` made in a process of its own; `call` runs one of its methods there.

    `died` is the message of the error calls get once the process is gone. The process starts
    at once; its socket joins the running event loop at the first call.
    """

    def __init__(self, factory: Callable[..., Any], died: str, **options: Any) -> None:
        self.died = died
        ours, theirs = socket.socketpair()
        self.socket = ours
        context = get_context("spawn")
        self.process = context.Process(target=_serve, args=(theirs, factory, options), daemon=True)
        self.process.start()
        theirs.close()
        self.transport: asyncio.Transport | None = None
        self.connecting: asyncio.Future[Any] | None = None
        self.unsent: list[bytes] = []  # calls made before the socket joined the loop
        self.waiting: deque[asyncio.Future[Any]] = deque()  # unanswered, oldest first
        self.received = bytearray()
        self.gone = False
        self.ended = asyncio.Event()

    def call(self, method: str, *args: Any) -> asyncio.Future[Any]:
        """The future answer of `method(*args)` on the object."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        if self.gone:
            answer.set_exception(WorkerDied(self.died))
            return answer
        message = _message((method, args))
        self.waiting.append(answer)
        if self.transport is not None:
            self.transport.write(message)
            return answer
        self.unsent.append(message)
        if self.connecting is None:
            connection = loop.create_connection(lambda: self, sock=self.socket)
            self.connecting = asyncio.ensure_future(connection)
        return answer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a socket's is one
        self.transport.write(b"".join(self.unsent))
        self.unsent = []

    def data_received(self, data: bytes) -> None:
        self.received += data
        while len(self.received) >= LENGTH.size:
            end = LENGTH.size + LENGTH.unpack_from(self.received)[0]
            if len(self.received) < end:
                break
            ok, value = pickle.loads(self.received[LENGTH.size : end])
            del self.received[:end]
            answer = self.waiting.popleft()
            if answer.done():  # cancelled by its caller
                continue
            if ok:
                answer.set_result(value)
            else:
                answer.set_exception(value)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.gone = True
        self.ended.set()
        while self.waiting:
            answer = self.waiting.popleft()
            if not answer.done():
                answer.set_exception(WorkerDied(self.died))

    async def close(self) -> None:
        """Hang up once every call is sent: the worker answers them, closes the object and
        exits."""
        if self.connecting is not None:
            await self.connecting
        if self.transport is not None:
            self.transport.write_eof()
            await self.ended.wait()
        else:
            self.gone = True
            self.socket.close()
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
