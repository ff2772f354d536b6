"""`edi validate`: check X12 files by WEDI SNIP type, report the findings, optionally write the 999/TA1."""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from edi.commands.common import (
    STDIN_NAME,
    Jobs,
    display_name,
    error_text,
    expand_inputs,
    handle_errors,
    located,
    progress,
    redactor,
    source,
    stderr,
    stdin_bytes,
    stdout,
)
from edi.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, EdiError, InputError
from edi.guides import CLAIM_ACK, IMPLEMENTATION_ACK
from edi.output import is_stdio, open_output, refuse_inputs, write_text
from edi.validate.issue import NOT_VALIDATED

if TYPE_CHECKING:
    from edi.commands.findings import Filtered, Settings
    from edi.redact import Redactor
    from edi.validate.issue import Issue
    from edi.x12.document import Document

FORMAT = "edi.findings/1"


@handle_errors
def validate(
    files: Annotated[
        list[str], typer.Argument(metavar="FILE", help="X12 files, folders, globs, or - for standard input.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Write the findings as JSON (edi.findings/1).")] = False,
    ack: Annotated[
        Path | None,
        typer.Option(
            "--ack",
            metavar="OUT",
            help="Write the 999 (and a TA1 when the envelope is broken) here; for several files a folder "
            "that gets one <name>.999 per file.",
        ),
    ] = None,
    ack277: Annotated[
        Path | None,
        typer.Option(
            "--ack277",
            metavar="OUT",
            help="Write the 277CA claim acknowledgment of each 837 here; for several files a folder (<name>.277).",
        ),
    ] = None,
    snip: Annotated[int, typer.Option("--snip", min=1, max=5, metavar="N", help="Run SNIP types 1 up to N.")] = 5,
    jobs: Jobs = 0,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", metavar="RULE", help="Report only these rule ids or prefixes (snip5, order)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="RULE", help="Leave out these rule ids or prefixes (snip5.npi_check_digit)."),
    ] = None,
    max_findings: Annotated[
        int | None,
        typer.Option("--max-findings", min=0, metavar="N", help="Show at most N findings per file, then counts."),
    ] = None,
    redact: Annotated[bool, typer.Option("--redact", help="Mask names, IDs, birth dates, addresses.")] = False,
    parquet: Annotated[
        Path | None,
        typer.Option("--parquet", metavar="DIR", help="Write the findings as Parquet tables into this folder."),
    ] = None,
) -> None:
    """Validate X12 837/835/999 files: envelope, guide rules, balancing, situational rules, code sets.

    Rules can also be selected or ignored in an edi.toml or a pyproject.toml [tool.edi] table;
    the command line wins over the file. With --parquet, -j sets the processes over the files.
    """
    from edi.commands.findings import apply, settings
    from edi.validate.runner import default_jobs

    paths = expand_inputs(files)
    if parquet is not None:
        if as_json or ack is not None or ack277 is not None or select or ignore or max_findings is not None or redact:
            raise InputError(
                "--parquet writes every finding alone; leave out --json, --ack, --ack277, --select, --ignore,"
                " --max-findings and --redact"
            )
        from edi.commands.parquet import write_tables

        raise typer.Exit(write_tables(parquet, paths, "validate", jobs, snip))
    chosen = settings(select or [], ignore or [], max_findings, paths)
    acks = _ack_paths(ack, paths, ".999", "--ack") if ack is not None else {}
    acks277 = _ack_paths(ack277, paths, ".277", "--ack277") if ack277 is not None else {}
    masker = redactor(redact)
    filtered: list[Filtered] = []
    for path in progress(paths, "validating"):
        result, document = _validate(path, snip, ack is not None, jobs or default_jobs())
        one = apply(chosen, result)
        filtered.append(apply(chosen, _redacted(result, path, masker)) if masker else one)
        if document is None:
            continue
        # The acknowledgments go back to the sender: they keep the true values.
        if path in acks:
            _write_ack(document, one.kept, acks[path], paths)
            _note_filtered(one, acks[path], IMPLEMENTATION_ACK)
        if path in acks277:
            _write_ack277(path, one.kept, acks277[path], paths)
            _note_filtered(one, acks277[path], CLAIM_ACK)
    if as_json:
        sys.stdout.write(json.dumps(report(filtered, chosen), indent=2) + "\n")
    else:
        _render(filtered, chosen)
    for one in filtered:
        if one.result.unreadable is not None:
            stderr.print(f"error: {one.result.unreadable}", markup=False, soft_wrap=True, emoji=False)
    raise typer.Exit(_exit_code(filtered))


def _validate(path: Path, snip: int, keep_sets: bool, jobs: int) -> tuple[Any, Document | None]:
    """Validate one file (standard input through a temporary copy); an unreadable file gives its reason."""
    from edi.validate.report import FileResult
    from edi.validate.runner import validate_file

    name = display_name(path)
    with _readable(path) as readable:
        try:
            document, issues = validate_file(readable, snip, keep_sets=keep_sets, jobs=jobs)
        except EdiError as error:
            return FileResult(name, unreadable=error_text(located(error, name))), None
    if is_stdio(path):
        document.file = name
        issues = [replace(issue, file=name) for issue in issues]
    return FileResult(name, issues), document


@contextmanager
def _readable(path: Path) -> Iterator[Path]:
    """A path the validator can read: the file itself, or a temporary copy of standard input."""
    if not is_stdio(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="edi-stdin-") as folder:
        copy = Path(folder) / "stdin.x12"
        copy.write_bytes(stdin_bytes())
        yield copy


def _redacted(result: Any, path: Path, masker: Redactor) -> Any:
    """The result with PHI masked in segments, messages and claim numbers."""
    _learn_file(path, masker)
    texts = {i.segment_text: masker.segment_text(i.segment_text) for i in result.issues if i.segment_text}
    issues = [
        replace(
            issue,
            segment_text=texts.get(issue.segment_text or "", issue.segment_text),
            message=masker.text(issue.message),
            claim=masker.data(issue.claim) if issue.claim else issue.claim,
        )
        for issue in result.issues
    ]
    unreadable = masker.text(result.unreadable) if result.unreadable else None
    return replace(result, issues=issues, unreadable=unreadable)


def _learn_file(path: Path, masker: Redactor) -> None:
    """Remember the PHI values of every segment the file lets read, so that messages can be masked."""
    from edi.x12.reader import iter_events

    try:
        for event in iter_events(source(path), file=display_name(path)):
            if event.kind == "transaction":
                masker.learn_segments(s for s, _ in event.value.root.walk())
    except EdiError:
        return


def _ack_paths(ack: Path, paths: list[Path], suffix: str, option: str) -> dict[Path, Path]:
    """Where each file's acknowledgment goes: ``ack`` for one file, ``ack/<name><suffix>`` for several.

    Two files that would share an acknowledgment name are refused before anything is validated.
    """
    if len(paths) == 1 and not ack.is_dir():
        refuse_inputs(ack, paths)
        return {paths[0]: ack}
    if ack.exists() and not ack.is_dir():
        raise InputError(f"{option} must be a folder when several files are validated", file=str(ack))
    targets: dict[Path, Path] = {}
    for path in paths:
        targets[path] = ack / ((Path(STDIN_NAME.strip("<>")) if is_stdio(path) else path).stem + suffix)
    for target in targets.values():
        refuse_inputs(target, paths)
    repeated = [name for name, count in Counter(targets.values()).items() if count > 1]
    if repeated:
        sources = [display_name(p) for p, t in targets.items() if t in repeated]
        raise InputError(
            f"these files would share the acknowledgment {repeated[0]}: {', '.join(sources)}; validate them separately",
            file=option,
        )
    try:
        ack.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot make the folder: {exc.strerror}", file=str(ack)) from exc
    return targets


def _write_ack(document: Document, issues: list[Issue], path: Path, inputs: list[Path]) -> None:
    from edi.ack.ack999 import build_999, build_ta1

    parts = [text for text in (build_ta1(document, issues), build_999(document, issues)) if text]
    write_text(path, "".join(parts), inputs)


def report(filtered: list[Filtered], chosen: Settings) -> dict[str, Any]:
    """The JSON report (``edi.findings/1``): findings as shown, counts of all kept, the filters and what they cut."""
    from edi.validate.report import report_json

    data = report_json([one.result for one in filtered])
    totals = report_json([replace(one.result, issues=one.kept) for one in filtered])["summary"]
    for entry, one in zip(data["files"], filtered, strict=True):
        entry["truncated"] = one.truncated
        entry["by_rule"] = one.by_rule()
        entry["filtered_out"] = dict(sorted(one.suppressed.items()))
    totals["filtered_out"] = sum(sum(one.suppressed.values()) for one in filtered)
    return {
        "format": FORMAT,
        **data,
        "summary": totals,
        "filters": {
            "select": list(chosen.select),
            "ignore": list(chosen.ignore),
            "max_findings": chosen.max_findings,
            "config": chosen.config,
        },
    }


def _render(filtered: list[Filtered], chosen: Settings) -> None:
    from edi.validate.report import render

    render(stdout, [one.result for one in filtered], [replace(one.result, issues=one.kept) for one in filtered])
    for one in filtered:
        name = escape(one.result.file)
        if one.truncated:
            counts = ", ".join(f"{escape(rule)} {count}" for rule, count in one.by_rule().items())
            stdout.print(
                f"[bold]{name}[/]: {len(one.result.issues)} of {len(one.kept)} findings shown "
                f"(--max-findings {chosen.max_findings}); by rule: {counts}",
                soft_wrap=True,
            )
        if one.suppressed:
            counts = ", ".join(f"{escape(rule)} {count}" for rule, count in sorted(one.suppressed.items()))
            stdout.print(f"[bold]{name}[/]: [yellow]filtered out[/] by --select/--ignore: {counts}", soft_wrap=True)


def _exit_code(filtered: list[Filtered]) -> int:
    """2 when a file could not be read or holds a transaction set no guide checks, 1 for errors, else 0."""
    if any(one.result.unreadable is not None for one in filtered):
        return EXIT_UNREADABLE
    if any(issue.rule == NOT_VALIDATED for one in filtered for issue in one.kept):
        return EXIT_UNREADABLE
    if any(issue.severity == "error" for one in filtered for issue in one.kept):
        return EXIT_FINDINGS
    return EXIT_OK


def _write_ack277(path: Path, issues: list[Issue], target: Path, inputs: list[Path]) -> None:
    """The 277CA of an 837, read claim by claim, through the same atomic writer as every output."""
    from edi.ack.ack277 import answer_file

    answers = answer_file(source(path), issues, file=display_name(path))
    try:
        if not answers.sets:
            note = f"{escape(display_name(path))}: no 837 claim could be read, no 277CA written"
            stderr.print(f"[yellow]warning[/]: {note}", soft_wrap=True)
            return
        with open_output(target, inputs) as out:
            answers.write(out)
    finally:
        answers.close()


def _note_filtered(one: Filtered, target: Path, kind: str) -> None:
    """Say on standard error that an acknowledgment leaves out errors of rules filtered out."""
    if one.suppressed_errors:
        stderr.print(
            f"note: {target}: the {kind} leaves out {one.suppressed_errors} error(s) of rules filtered out "
            f"({', '.join(sorted(one.suppressed))})",
            markup=False,
            soft_wrap=True,
        )
