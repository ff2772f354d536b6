"""Every file a command writes goes through `open_output`: atomic, never one of the inputs, no partial file.

The text goes to a temporary file in the target's folder, which replaces the target only when
everything was written; an error removes the temporary file and leaves any previous target
untouched. ``-`` (or no path) means standard output, never a file named ``-``.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO

from edi.errors import EdiError, Location

STDIO = "-"


def is_stdio(path: Path | str | None) -> bool:
    """True for no path or ``-``: standard input or output."""
    return path is None or str(path) == STDIO


def refuse_inputs(output: Path, inputs: Iterable[Path | str]) -> None:
    """Raise `EdiError` when ``output`` is one of ``inputs`` (same resolved path, or the same file)."""
    target = output.resolve()
    for source in inputs:
        if is_stdio(source):
            continue
        path = Path(source)
        same = path.resolve() == target
        if not same and output.exists() and path.exists():
            with contextlib.suppress(OSError):
                same = os.path.samefile(path, output)
        if same:
            raise EdiError(f"the output is also an input ({source}); choose another path", Location(file=str(output)))


@contextlib.contextmanager
def open_output(output: Path | str | None, inputs: Iterable[Path | str] = ()) -> Iterator[TextIO]:
    """A text stream to ``output`` (standard output for None or ``-``), replaced atomically on success.

    An OS error while creating, writing or renaming becomes an `EdiError` (exit 2) naming the
    path; any other exception is passed on; in both cases no partial file is left.
    """
    if is_stdio(output):
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(str(output))
    refuse_inputs(target, inputs)
    if target.is_dir():
        raise EdiError("the output is a folder; give a file path", Location(file=str(target)))
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise _write_error(target, exc) from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="", errors="surrogateescape") as stream:
            yield stream
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise _write_error(target, exc) from exc
    except BaseException:
        _remove(temporary)
        raise


def write_text(output: Path | str | None, text: str, inputs: Iterable[Path | str] = ()) -> None:
    """Write ``text`` to ``output`` through `open_output`."""
    with open_output(output, inputs) as stream:
        stream.write(text)


def copy_text(source: IO[str], out: IO[str]) -> None:
    """Copy the text of ``source`` from its position to ``out``: as bytes where both are UTF-8 files.

    Copying the bytes saves decoding and encoding again every character of a large output
    written first to a temporary file (a part of a file read by another process, a spool);
    between two files (or a file and a pipe) the kernel copies them (`_send`).
    """
    raw_source, raw_out = getattr(source, "buffer", None), getattr(out, "buffer", None)
    if raw_source is None or raw_out is None or not (_is_utf8(source) and _is_utf8(out)):
        shutil.copyfileobj(source, out)
        return
    out.flush()
    if not _send(raw_source, raw_out):
        shutil.copyfileobj(raw_source, raw_out)


def _send(source: IO[bytes], out: IO[bytes]) -> bool:
    """Copy a regular file ``source`` from its position to its end into ``out`` with `os.sendfile`.

    False, having copied nothing, where either has no file descriptor or the system cannot.
    """
    try:
        read, written = source.fileno(), out.fileno()
        start, status = source.tell(), os.fstat(read)
    except (AttributeError, OSError, ValueError):
        return False
    if not hasattr(os, "sendfile") or not stat.S_ISREG(status.st_mode):
        return False
    end = status.st_size
    at = start
    try:
        while at < end:
            sent = os.sendfile(written, read, at, end - at)
            if sent == 0:
                break
            at += sent
    except OSError as exc:
        if at == start and exc.errno in (errno.EINVAL, errno.ENOSYS, errno.EBADF):
            return False  # this pair of files cannot: the caller copies through Python
        raise
    source.seek(at)
    if out.seekable():
        out.seek(os.lseek(written, 0, os.SEEK_CUR))  # the bytes written behind its back: its position again
    return True


class BytesTo:
    """Bytes of UTF-8 text (undecodable bytes as surrogate escapes) written to a text stream.

    Straight to its buffer where the stream is a UTF-8 file, else decoded; `close` writes
    what a last incomplete character left (nothing in valid text) and leaves ``out`` open.
    """

    def __init__(self, out: IO[str]) -> None:
        raw = getattr(out, "buffer", None)
        self.raw: IO[bytes] | None = raw if raw is not None and _is_utf8(out) else None
        self.out = out
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        out.flush()

    def write(self, data: bytes) -> None:
        if self.raw is not None:
            self.raw.write(data)
        else:
            self.out.write(self.decoder.decode(data))

    def close(self) -> None:
        if self.raw is None:
            self.out.write(self.decoder.decode(b"", final=True))


def _is_utf8(stream: IO[str]) -> bool:
    encoding = getattr(stream, "encoding", None)
    return isinstance(encoding, str) and codecs.lookup(encoding).name == "utf-8"


def _write_error(target: Path, exc: OSError) -> EdiError:
    return EdiError(f"cannot write the output: {exc.strerror or exc}", Location(file=str(target)))


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
