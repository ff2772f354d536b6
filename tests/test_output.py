"""Every output is atomic, never one of the inputs, and an OS error leaves no partial file and no traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edi.cli import app
from edi.errors import EdiError
from edi.output import copy_text, open_output, write_text
from edi.x12.reader import read_document
from tests.conftest import SAMPLES

runner = CliRunner()
SAMPLE_837 = SAMPLES / "837p-office-visits.x12"
SAMPLE_835 = SAMPLES / "835-office-visits.x12"


def copy(tmp_path: Path, source: Path, name: str | None = None) -> Path:
    target = tmp_path / (name or source.name)
    target.write_bytes(source.read_bytes())
    return target


def test_a_failure_while_writing_keeps_the_previous_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError), open_output(target) as out:
        out.write("half of the new")
        raise RuntimeError("stopped")
    assert target.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_an_os_error_while_writing_is_an_edi_error_naming_the_path(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(EdiError) as caught, open_output(target):
        raise OSError(28, "No space left on device")
    assert str(target) in str(caught.value) and "No space left" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_the_written_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text(target, "text")
    assert target.stat().st_mode & 0o644 == 0o644


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "{in}", "--ack", "{in}"],
        ["read", "{in}", "-o", "{in}"],
        ["parse", "--json", "{in}", "-o", "{in}"],
        ["parse", "--json", "{in}", "-o", "{link}"],
        ["reconcile", "--claims", "{in}", "--remit", str(SAMPLE_835), "-o", "{in}"],
        ["validate", "{in}", str(SAMPLE_835), "--ack", "{folder}"],
    ],
)
def test_an_output_that_is_an_input_is_refused(tmp_path: Path, command: list[str]) -> None:
    source = copy(tmp_path, SAMPLE_837, "claims.837")
    (tmp_path / "link.837").symlink_to(source)
    before = source.read_bytes()
    ack_folder = tmp_path / "acks"
    ack_folder.mkdir()
    (ack_folder / "claims.837").symlink_to(source)  # where --ack would not write: <name>.999
    args = [a.format(**{"in": source, "link": tmp_path / "link.837", "folder": ack_folder}) for a in command]
    result = runner.invoke(app, args)
    if "{folder}" in command:
        assert result.exit_code == 0
        assert sorted(p.name for p in ack_folder.iterdir()) == ["835-office-visits.999", "claims.837", "claims.999"]
    else:
        assert result.exit_code == 2, result.output
        assert "the output is also an input" in result.stderr
    assert source.read_bytes() == before


@pytest.mark.parametrize("kind", ["build", "write"])
def test_json_inputs_are_never_overwritten(tmp_path: Path, kind: str) -> None:
    source = copy(tmp_path, SAMPLES / "837p-office-visits.json", "claims.json")
    if kind == "write":
        runner.invoke(app, ["parse", "--json", str(SAMPLE_837), "-o", str(source)])
    before = source.read_bytes()
    result = runner.invoke(app, [kind, str(source), "-o", str(source)])
    assert result.exit_code == 2
    assert source.read_bytes() == before


def test_ack_for_several_inputs_never_overwrites_one_with_another(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    copy(first, SAMPLE_837, "claims.x12")
    copy(second, SAMPLE_837, "claims.x12")
    acks = tmp_path / "acks"
    result = runner.invoke(app, ["validate", str(first / "claims.x12"), str(second / "claims.x12"), "--ack", str(acks)])
    assert result.exit_code == 2
    assert "would share the acknowledgment" in result.stderr
    assert not acks.exists() or not any(acks.iterdir())


def test_ack_to_a_file_with_several_inputs_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "one.999"
    existing.write_text("keep", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(SAMPLE_837), str(SAMPLE_835), "--ack", str(existing)])
    assert result.exit_code == 2
    assert existing.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize(
    "command",
    [
        ["parse", "--json", str(SAMPLE_837), "-o"],
        ["read", str(SAMPLE_837), "-o"],
        ["build", str(SAMPLES / "837p-office-visits.json"), "-o"],
        ["reconcile", "--claims", str(SAMPLE_837), "--remit", str(SAMPLE_835), "-o"],
        ["validate", str(SAMPLE_837), "--ack"],
    ],
)
def test_an_output_that_cannot_be_written_is_exit_2_naming_it(tmp_path: Path, command: list[str]) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    target = blocker / "out"
    result = runner.invoke(app, [*command, str(target)])
    assert result.exit_code == 2, result.output
    assert str(target) in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_write_and_build_write_through_the_same_helper(tmp_path: Path) -> None:
    tree = tmp_path / "tree.json"
    assert runner.invoke(app, ["parse", "--json", str(SAMPLE_837), "-o", str(tree)]).exit_code == 0
    out = tmp_path / "out.837"
    out.write_text("previous", encoding="utf-8")
    assert runner.invoke(app, ["write", str(tree), "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == SAMPLE_837.read_bytes()
    built = tmp_path / "built.837"
    assert runner.invoke(app, ["build", str(SAMPLES / "837p-office-visits.json"), "-o", str(built)]).exit_code == 0
    assert read_document(built).transactions()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built.837", "out.837", "tree.json"]


def test_ack277_and_view_write_through_the_same_helper(tmp_path: Path) -> None:
    source = copy(tmp_path, SAMPLE_837, "claims.837")
    before = source.read_bytes()
    assert runner.invoke(app, ["validate", str(source), "--ack277", str(source)]).exit_code == 2
    assert runner.invoke(app, ["view", str(source), "-o", str(source)]).exit_code == 2
    assert source.read_bytes() == before
    second = copy(tmp_path, SAMPLES / "claims-837p.x12")
    acks = tmp_path / "acks"
    result = runner.invoke(app, ["validate", str(source), str(second), "--ack277", str(acks)])
    assert result.exit_code in (0, 1), result.output
    assert sorted(p.name for p in acks.iterdir()) == ["claims-837p.277", "claims.277"]
    page = tmp_path / "page.html"
    assert runner.invoke(app, ["view", str(source), "-o", str(page)]).exit_code == 0
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_copy_text_keeps_the_text_and_what_was_written_before_it(tmp_path: Path, encoding: str) -> None:
    text = "ISA*00*caf\u00e9~\n" * 3 + "lone \udcf1 byte"
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape") as source,
        (tmp_path / "out").open("w", encoding=encoding, errors="surrogateescape") as out,
    ):
        source.write(text)
        source.seek(0)
        out.write("before ")
        copy_text(source, out)
        out.write(" after")
    assert (tmp_path / "out").read_bytes() == f"before {text} after".encode(encoding, "surrogateescape")
