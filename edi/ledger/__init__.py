"""The ledger: claims and remittances kept in a database across imports, reconciled as they arrive.

`Ledger.open` connects to SQLite (a file, or memory) or PostgreSQL and brings the schema up to
date through the Alembic migrations shipped in ``edi/ledger/migrations``; `Ledger.import_paths`
takes 837 and 835 files; the reports read what was reconciled.
"""

from __future__ import annotations

from edi.ledger.store import ImportOutcome, Ledger

__all__ = ["ImportOutcome", "Ledger"]
