"""Where the ledger lives: a database URL or path, opened through SQLAlchemy and migrated with Alembic.

Without ``--db`` or ``EDI_DB`` the ledger is the SQLite file ``ledger.sqlite3`` in
``platformdirs.user_data_dir("edi")``. A ``postgresql://`` URL uses the psycopg 3 driver.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import StaticPool

from edi.errors import InputError

MEMORY = "sqlite://"
MIGRATIONS = Path(__file__).parent / "migrations"


def default_location() -> Path:
    """The SQLite file used when no database is named."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("edi")) / "ledger.sqlite3"


def database_url(location: str | None) -> str:
    """The SQLAlchemy URL for ``location`` (a URL or a file path), else ``EDI_DB``, else the default file."""
    chosen = location or os.environ.get("EDI_DB") or str(default_location())
    if chosen == MEMORY or "://" in chosen:
        url = chosen
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    path = Path(chosen).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the ledger's folder {path.parent}: {exc.strerror}", file="--db") from None
    return f"sqlite:///{path}"


def connect(location: str | None) -> Engine:
    """An engine for the ledger at ``location``, with its schema migrated to the current version."""
    url = database_url(location)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(f"not a database URL or path: {exc}", file="--db") from None
    if parsed.get_backend_name() == "sqlite":
        options: dict[str, object] = {"poolclass": StaticPool} if parsed.database in (None, "", ":memory:") else {}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(url)
    else:
        raise InputError(f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL", file="--db")
    event.listen(engine, "before_cursor_execute", _storable_text, retval=True)
    try:
        migrate(engine)
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise InputError(f"cannot open the ledger at {parsed.render_as_string()}: {reason}", file="--db") from None
    return engine


def _storable_text(
    connection: object, cursor: object, statement: str, parameters: Any, context: object, executemany: bool
) -> tuple[str, Any]:
    """Parameters with every text a database can hold: bytes of a file that are not UTF-8 become ``\\xNN``.

    The readers keep such bytes as lone surrogates so that X12 written back is the same; neither
    SQLite nor PostgreSQL stores them, so they are stored escaped (the same way on every side, so
    claim numbers still match).
    """
    return statement, _escaped(parameters)


def _escaped(value: Any) -> Any:
    if type(value) is str:
        return (
            value if value.isascii() else value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        )
    if type(value) is dict:
        return {key: _escaped(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_escaped(item) for item in value)
    return value


def _sqlite_pragmas(connection: object, _record: object) -> None:
    """Foreign keys on, WAL journal; and transactions begun by SQLAlchemy, so savepoints work (see `_sqlite_begin`)."""
    connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
