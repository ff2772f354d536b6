"""A ledger database for tests: a SQLite file, or a fresh PostgreSQL schema when EDI_TEST_POSTGRESQL_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from edi.ledger.database import database_url
from tests.conftest import service_missing

BACKENDS = ("sqlite", "postgresql")


def ledger_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield a database URL or path no other test uses; a PostgreSQL schema is dropped afterwards."""
    if backend == "sqlite":
        yield str(tmp_path / "ledger.sqlite3")
        return
    url = os.environ.get("EDI_TEST_POSTGRESQL_URL")
    if not url:
        service_missing("EDI_TEST_POSTGRESQL_URL is not set: no PostgreSQL server for the ledger tests")
        return
    schema = f"ledger_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url(url))
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"EDI_TEST_POSTGRESQL_URL is set but the server cannot be used: {exc}")
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
