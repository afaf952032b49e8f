"""The archive's small vocabulary of errors; each says what is wrong and how to fix it."""


class ArchiveError(Exception):
    """Base class: the archive cannot be used as asked."""


class NotAnArchive(ArchiveError):
    """The path is a directory, unreadable, or not a SQLite database."""


class NewerSchema(ArchiveError):
    """The archive was written by a newer Newsarchive than this one."""


class OlderSchema(ArchiveError):
    """The archive was written by an older Newsarchive and must be upgraded first."""


class ArchiveLocked(ArchiveError):
    """Another run is writing to this archive."""


class MissingArchive(ArchiveError):
    """The archive file does not exist and the command will not create one."""


class PortUnavailable(ArchiveError):
    """The server cannot listen on the address it was given (in use, or not permitted)."""


class RedisUnreachable(ArchiveError):
    """The Redis of a shared crawl cannot be reached, or refuses us (a wrong password)."""


class WriterRunning(ArchiveError):
    """Another writer already owns the shared crawl's results stream."""


class CaptureUnreadable(ArchiveError):
    """A WARC record the archive points to cannot be read."""


class NotArchived(ArchiveError):
    """No archived article has this URL, or its response was not captured."""


class DumpFailed(ArchiveError):
    """The snapshot did not pass its checks; nothing was published."""


class UnknownSite(ArchiveError):
    """A dump of a site the archive holds nothing of."""


class BadQuery(ArchiveError, ValueError):
    """A query that cannot be searched, said in the user's words, with a query that can."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.message, self.suggestion = message, suggestion
