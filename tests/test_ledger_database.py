"""Where the ledger lives: the default SQLite file, EDI_DB, --db paths and URLs, and unusable locations."""

from __future__ import annotations

from pathlib import Path

import pytest
from platformdirs import user_data_dir
from typer.testing import CliRunner

from edi.cli import app
from edi.errors import InputError
from edi.ledger.database import connect, database_url, default_location


def test_without_a_location_the_ledger_is_a_file_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("EDI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_location() == Path(user_data_dir("edi")) / "ledger.sqlite3"
    assert database_url(None) == f"sqlite:///{default_location()}"
    assert default_location().parent.is_dir()


def test_edi_db_names_the_ledger_unless_a_location_is_given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EDI_DB", str(tmp_path / "from-env.sqlite3"))
    assert database_url(None) == f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    assert database_url(str(tmp_path / "given.sqlite3")) == f"sqlite:///{tmp_path / 'given.sqlite3'}"


def test_a_postgresql_url_uses_the_psycopg_driver() -> None:
    assert database_url("postgresql://u:p@host:5432/db") == "postgresql+psycopg://u:p@host:5432/db"
    assert database_url("postgresql+psycopg://u:p@host/db") == "postgresql+psycopg://u:p@host/db"


def test_another_database_is_refused() -> None:
    with pytest.raises(InputError, match="unsupported database"):
        connect("mysql://u:p@host/db")


def test_the_command_line_says_why_a_database_cannot_be_used(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ledger", "claims", "--db", "mysql://u:p@host/db"])
    assert result.exit_code == 2
    assert "unsupported database" in result.output


def test_a_server_that_cannot_be_reached_is_an_input_error() -> None:
    with pytest.raises(InputError, match="cannot open the ledger"):
        connect("postgresql://nobody:secret@127.0.0.1:9/none?connect_timeout=2")
