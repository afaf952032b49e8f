"""Raw capture in WARC (ISO 28500) with warcio: what the server actually sent, record by record.

One file per run (and per resume: a file is never appended to after its writer stopped),
rotated at a size limit, each starting with a `warcinfo` record. Each response is a gzip
member of its own, so a file cut short by a SIGKILL loses only its last, incomplete record.
"""

from __future__ import annotations

import hashlib
import io
import os
import zlib
from base64 import b32encode
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .exceptions import CaptureUnreadable

SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# ISA-L's gzip (isal), level 3 of its 0-3: on 400 real pages of many sites 3.6 times as fast as
# zlib's default level 6, for files 11% larger (its level 2: 10.8 times, 14% larger).
GZIP_LEVEL = 3


@dataclass(frozen=True)
class Exchange:
    """One request and the response to it, as plain values."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    protocol: str
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes  # as received: Content-Encoding kept, Transfer-Encoding already undone
    fetched_at: datetime


@dataclass(frozen=True)
class Location:
    """Where a response record is: enough to read it back and to check it."""

    file: str
    offset: int
    length: int
    digest: str
    fetched_at: str


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of a body: `sha1:` and base32, as warcio writes it."""
    return "sha1:" + b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _GzipPerRecord:
    """Makes each record warcio writes (everything up to its flush) one gzip member.

    warcio does the same with zlib at level 9, which costs a crawl four times the CPU of zlib's
    level 6, itself several times that of ISA-L's gzip, for files a few percent smaller.
    """

    def __init__(self, handle: io.BufferedWriter) -> None:
        self.handle = handle
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def flush(self) -> None:
        compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
        self.handle.write(compressor.compress(b"".join(self.parts)) + compressor.flush())
        self.handle.flush()
        self.parts.clear()


class WarcWriter:
    """Writes exchanges to `<directory>/<prefix>-<n>.warc.gz`, rotating at `max_size` bytes."""

    def __init__(
        self, directory: Path, prefix: str, software: str, run_id: int | None, max_size: int
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.software = software
        self.run_id = run_id
        self.max_size = max_size
        self.number = 0
        self.handle: io.BufferedWriter | None = None
        self.writer: WARCWriter | None = None
        self.name = ""
        directory.mkdir(parents=True, exist_ok=True)

    def _open(self) -> None:
        self.close()
        self.number += 1
        self.name = f"{self.prefix}-{self.number:05d}.warc.gz"
        self.handle = open(self.directory / self.name, "xb")  # noqa: SIM115 - kept open on purpose
        self.writer = WARCWriter(_GzipPerRecord(self.handle), gzip=False, warc_version="1.1")
        info = {"software": self.software, "format": "WARC File Format 1.1",
                "isPartOf": f"crawl run {self.run_id}", "robots": "obey"}  # fmt: skip
        self.writer.write_record(self.writer.create_warcinfo_record(self.name, info))

    def _ready(self) -> WARCWriter:
        if self.handle is None or self.handle.tell() >= self.max_size:
            self._open()
        assert self.writer is not None
        return self.writer

    def write(self, exchange: Exchange) -> Location:
        """Write the request and response records; where the response record is."""
        writer = self._ready()
        when = warc_date(exchange.fetched_at)
        http = StatusAndHeaders(
            f"{exchange.status} {exchange.reason}".strip(),
            [(k, v) for k, v in exchange.response_headers if k.lower() != "transfer-encoding"],
            protocol=exchange.protocol,
        )
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": when},
        )
        request = self._request_record(writer, exchange, when)
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        return self._write_pair(writer, response, request, exchange)

    def write_revisit(self, exchange: Exchange, refers_to_digest: str, refers_to_date: str) -> None:
        """A 304 to a conditional GET: a revisit record pointing to the stored payload."""
        writer = self._ready()
        when = warc_date(exchange.fetched_at)
        http = StatusAndHeaders(
            f"{exchange.status} {exchange.reason}".strip(),
            exchange.response_headers,
            protocol=exchange.protocol,
        )
        revisit = writer.create_warc_record(
            exchange.url, "revisit", http_headers=http, warc_headers_dict={"WARC-Date": when}
        )
        for name, value in (
            ("WARC-Profile", SERVER_NOT_MODIFIED),
            ("WARC-Refers-To-Target-URI", exchange.url),
            ("WARC-Refers-To-Date", refers_to_date),
            ("WARC-Payload-Digest", refers_to_digest),
        ):
            revisit.rec_headers.add_header(name, value)
        writer.write_record(revisit)
        writer.write_record(self._request_record(writer, exchange, when))

    def _request_record(self, writer: WARCWriter, exchange: Exchange, when: str) -> ArcWarcRecord:
        path = exchange.url.split("/", 3)[3] if exchange.url.count("/") >= 3 else ""
        http = StatusAndHeaders(
            f"{exchange.method} /{path} {exchange.protocol}",
            exchange.request_headers,
            is_http_request=True,
        )
        return writer.create_warc_record(
            exchange.url, "request", http_headers=http, warc_headers_dict={"WARC-Date": when}
        )

    def _write_pair(
        self,
        writer: WARCWriter,
        response: ArcWarcRecord,
        request: ArcWarcRecord,
        exchange: Exchange,
    ) -> Location:
        assert self.handle is not None
        offset = self.handle.tell()
        writer.write_record(response)
        length = self.handle.tell() - offset
        writer.write_record(request)
        return Location(
            file=self.name,
            offset=offset,
            length=length,
            digest=response.rec_headers.get_header("WARC-Payload-Digest"),
            fetched_at=exchange.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
        )

    def flush(self) -> None:
        """Push written records to disk (before the database commit that points to them)."""
        if self.handle is not None:
            self.handle.flush()
            os.fsync(self.handle.fileno())

    def close(self) -> None:
        if self.handle is not None:
            self.flush()
            self.handle.close()
            self.handle = None


@dataclass(frozen=True)
class StoredResponse:
    """A response read back from a WARC file."""

    url: str
    status_line: str
    headers: list[tuple[str, str]]
    content: bytes  # Content-Encoding undone
    raw: bytes  # as received
    digest: str

    def header(self, name: str) -> str | None:
        """The first value of a response header, by case-insensitive name."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


def locate(directories: Sequence[Path], file: str) -> Path:
    """The WARC file `file` in the first of these directories that holds it (each crawler of
    a shared crawl keeps its own); in the first directory if none does."""
    for directory in directories:
        if (directory / file).exists():
            return directory / file
    return directories[0] / file


def read_response(directories: Sequence[Path], file: str, offset: int) -> StoredResponse:
    """The response record at `offset` of a WARC file, or CaptureUnreadable saying why."""
    path = locate(directories, file)
    try:
        return _read_response(path, offset)
    except (OSError, ArchiveLoadFailed, StopIteration, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise CaptureUnreadable(
            f"cannot read the record at {path}@{offset} ({reason}); "
            "check --warc-dir, then run `newsarchive verify`"
        ) from None


def _read_response(path: Path, offset: int) -> StoredResponse:
    with open(path, "rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        raw = record.raw_stream.read()
        return StoredResponse(
            url=record.rec_headers.get_header("WARC-Target-URI"),
            status_line=f"{record.http_headers.protocol} {record.http_headers.statusline}",
            headers=list(record.http_headers.headers),
            content=_decoded(raw, record.http_headers.get_header("Content-Encoding")),
            raw=raw,
            digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        )


def _decoded(raw: bytes, encoding: str | None) -> bytes:
    import gzip

    if not encoding:
        return raw
    encoding = encoding.lower()
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress(raw)
    if encoding == "deflate":
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return zlib.decompress(raw, -zlib.MAX_WBITS)
    if encoding == "br":
        import brotli  # the crawler asks for gzip or deflate only; a server may still send br

        decompressed: bytes = brotli.decompress(raw)
        return decompressed
    return raw


@dataclass(frozen=True)
class Scan:
    """Every record of one WARC file, as far as it could be read."""

    file: str
    responses: dict[int, tuple[str, str]]  # offset -> (url, payload digest)
    records: int
    truncated_at: int | None


def scan(path: Path) -> Scan:
    """Read a WARC file record by record; a file cut short says where it stops."""
    responses: dict[int, tuple[str, str]] = {}
    records = 0
    truncated_at = None
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        try:
            for record in iterator:
                records += 1
                body = record.raw_stream.read()  # before the offset: asking for it skips the rest
                if record.rec_type == "response":
                    responses[iterator.get_record_offset()] = (
                        record.rec_headers.get_header("WARC-Target-URI"),
                        payload_digest(body),
                    )
        except (ArchiveLoadFailed, EOFError, OSError, ValueError):
            truncated_at = iterator.get_record_offset() or 0
    return Scan(path.name, responses, records, truncated_at)


def files(directory: Path) -> Iterator[Path]:
    """The WARC files of a directory, oldest first."""
    return iter(sorted(directory.glob("*.warc.gz"))) if directory.is_dir() else iter(())
