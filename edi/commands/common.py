"""What every command shares: consoles, the error boundary, output choice."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from edi.errors import EdiError

P = ParamSpec("P")
R = TypeVar("R")

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def wants_json(flag: bool) -> bool:
    """JSON when asked, or when standard output is not a terminal."""
    return flag or not sys.stdout.isatty()


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn `EdiError` into a clear message on standard error and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except EdiError as error:
            stderr.print(f"[bold red]error[/]: {error}", markup=True, soft_wrap=True, emoji=False)
            raise typer.Exit(error.exit_code) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None

    return wrapper
