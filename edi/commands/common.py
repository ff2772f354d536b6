"""What every command shares: consoles, the error boundary, input expansion, stdin, progress, redaction."""

from __future__ import annotations

import functools
import glob
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer import _click as click
from typer.core import TyperArgument, TyperGroup, TyperOption

from edi.errors import EdiError, InputError
from edi.output import STDIO, is_stdio

if TYPE_CHECKING:
    from edi.redact import Redactor

P = ParamSpec("P")
R = TypeVar("R")

STDIN_NAME = "<stdin>"
PROGRESS_MIN_BYTES = 1_000_000  # smaller inputs are done before a progress bar would help
SNIFF_BYTES = 4096
GLOB_CHARACTERS = frozenset("*?[")
TABLE_WIDTH = 160  # columns of a table written to a file or a pipe, where no terminal sets the width
Jobs = Annotated[
    int, typer.Option("--jobs", "-j", min=0, metavar="N", help="Processes for large files (0: one per core).")
]  # the option of every command that reads a large file in parts (`edi.parallel`)

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


class _State:
    """What one command run shares: the redactor when ``--redact`` is on, and standard input once read."""

    redactor: Redactor | None = None
    stdin: bytes | None = None


state = _State()


def configure_consoles() -> None:
    """No wrapping where the output is not a terminal: paths and segments stay on one line in pipes and logs."""
    for console in (stdout, stderr):
        console.soft_wrap = not console.is_terminal


def wants_json(flag: bool) -> bool:
    """JSON when asked, or when standard output is not a terminal."""
    return flag or not sys.stdout.isatty()


def redactor(enabled: bool) -> Redactor | None:
    """Start masking PHI in this run's outputs and messages when ``enabled``."""
    state.redactor = None
    if enabled:
        from edi.redact import Redactor

        state.redactor = Redactor()
    return state.redactor


def error_text(error: EdiError) -> str:
    """The error's message, its PHI masked when ``--redact`` is on."""
    masker = state.redactor
    if masker is None:
        return str(error)
    if error.location.segment:
        error.location = replace(error.location, segment=masker.segment_text(error.location.segment))
    return masker.text(str(error))


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn `EdiError` into a clear message on standard error and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        configure_consoles()
        state.redactor, state.stdin = None, None
        try:
            return command(*args, **kwargs)
        except EdiError as error:
            stderr.print(f"[bold red]error[/]: {escape(error_text(error))}", soft_wrap=True, emoji=False)
            raise typer.Exit(error.exit_code) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None

    return wrapper


# Inputs -------------------------------------------------------------------------------------


def expand_inputs(arguments: Iterable[str], what: str = "FILE") -> list[Path]:
    """Files, folders (their X12 files, sorted), globs (expanded here when quoted) and ``-`` (standard input).

    A path that matches nothing, a folder without X12 files and ``-`` given twice are an
    `InputError` (exit 2). Each file comes once, in the order given.
    """
    found: list[Path] = []
    for argument in arguments:
        if argument == STDIO:
            if any(is_stdio(p) for p in found):
                raise InputError("standard input ('-') can be read only once", file=what)
            found.append(Path(STDIO))
            continue
        path = Path(argument)
        if path.is_dir():
            found.extend(_folder(path))
        elif path.exists():
            found.append(path)
        elif GLOB_CHARACTERS & set(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                raise InputError("the pattern matches no file", file=argument)
            for match in map(Path, matches):
                found.extend(_folder(match) if match.is_dir() else [match])
        else:
            raise InputError("no such file or folder", file=argument)
    return list(dict.fromkeys(found))


def _folder(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and looks_like_x12(p))
    if not files:
        raise InputError("the folder holds no X12 file (none starts with an ISA or ST segment)", file=str(folder))
    return files


def looks_like_x12(path: Path) -> bool:
    """True when the file starts (after a byte order mark and white space) with an ISA or ST segment."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    return looks_like_x12_text(text)


def looks_like_x12_text(text: str) -> bool:
    """True when the text starts (after white space) with an ISA or ST segment."""
    text = text.lstrip().removeprefix("\ufeff")
    return text.startswith("ISA") or (text.startswith("ST") and len(text) > 2 and not text[2].isalnum())


def display_name(path: Path) -> str:
    """How an input is named in messages and outputs."""
    return STDIN_NAME if is_stdio(path) else str(path)


def stdin_bytes() -> bytes:
    """Standard input, read once per run."""
    if state.stdin is None:
        state.stdin = sys.stdin.buffer.read()
    return state.stdin


def source(path: Path) -> Path | bytes:
    """What a reader takes for ``path``: the path itself, or the bytes of standard input."""
    return stdin_bytes() if is_stdio(path) else path


def located(error: EdiError, name: str) -> EdiError:
    """The error with ``name`` as its file (for inputs read through a temporary copy)."""
    error.location = replace(error.location, file=name)
    return error


# Progress -----------------------------------------------------------------------------------


def progress(paths: Sequence[Path], verb: str) -> Iterator[Path]:
    """Iterate over ``paths``; a transient progress bar on standard error for long work on a terminal."""
    if not stderr.is_terminal or _total_size(paths) < PROGRESS_MIN_BYTES:
        yield from paths
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as bar:
        task = bar.add_task(verb, total=len(paths))
        for path in paths:
            bar.update(task, description=f"{verb} {display_name(path)}")
            yield path
            bar.advance(task)


def _total_size(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        if not is_stdio(path):
            try:
                total += path.stat().st_size
            except OSError:
                continue
    return total


# Help ---------------------------------------------------------------------------------------


class TidyGroup(TyperGroup):
    """The command group: its help and every command's show metavars, not typer's type labels (``<bool>``).

    Commands are tidied when looked up, so a command registered anywhere gets clean help too.
    """

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        for param in params:
            _tidy(param)
        return params

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            for param in command.get_params(ctx):
                _tidy(param)
        return command


def _tidy(param: click.Parameter) -> None:
    if isinstance(param, TyperOption) and param.metavar is None:
        param.metavar = "" if param.is_flag else (param.name or "").upper()
    elif isinstance(param, TyperArgument):
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
