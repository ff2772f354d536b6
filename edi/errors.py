"""The exceptions `edi` raises for input it cannot read, and the exit codes they map to."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2


def printable(text: str) -> str:
    """``text`` safe to print: bytes of a file that are not UTF-8 (kept as surrogates) shown as ``\\xda``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(slots=True, frozen=True)
class Location:
    """Where something sits in an X12 file: position counts from ST = 1, lines from 1."""

    file: str = ""
    position: int | None = None
    line: int | None = None
    offset: int | None = None
    loop: str | None = None
    segment: str | None = None
    element: str | None = None

    def describe(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(f"line {self.line}")
        elif self.offset is not None:
            parts.append(f"byte {self.offset}")
        if self.position is not None:
            parts.append(f"segment {self.position}")
        if self.loop:
            parts.append(f"loop {self.loop}")
        if self.element:
            parts.append(self.element)
        return ", ".join(parts)


class EdiError(Exception):
    """Base class: input that `edi` cannot use at all. Exit code 2."""

    exit_code = EXIT_UNREADABLE

    def __init__(self, message: str, location: Location | None = None, expected: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.expected = expected

    def __str__(self) -> str:
        text = f"{self.location.describe()}: {self.message}"
        if self.location.segment:
            text += f"\n    {self.location.segment}"
        if self.expected:
            text += f"\n    expected: {self.expected}"
        return printable(text)


class ReadError(EdiError):
    """An X12 file that cannot be read: no envelope, truncated, unknown delimiters."""


class InputError(EdiError):
    """A JSON input that does not match its schema, or cannot be turned into X12."""

    def __init__(self, message: str, problems: list[str] | None = None, file: str = "") -> None:
        super().__init__(message, Location(file=file))
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [f"{self.location.file or '<input>'}: {self.message}"]
        lines += [f"  - {p}" for p in self.problems]
        return printable("\n".join(lines))
